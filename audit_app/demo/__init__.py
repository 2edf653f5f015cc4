"""The demo partnership: how a newcomer meets the product and how testers exercise it."""
