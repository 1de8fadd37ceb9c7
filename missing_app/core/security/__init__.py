"""Who may sign in and what each role may do: passwords, the wrapped database key, roles."""
