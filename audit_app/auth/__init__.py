"""Sign-in, server-side sessions, invitations, passwords, grants and the access policy."""
