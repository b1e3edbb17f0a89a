"""Who is asking and what they may do: passwords and throttling at login, server-side
sessions, CSRF, and the role-and-site checks every page and action runs."""
