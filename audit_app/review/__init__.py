"""The reviewer journey: moderation, queries, decisions and spot checks."""
