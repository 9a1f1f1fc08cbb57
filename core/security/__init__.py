"""Who is calling and what they may do: passwords, tokens, principals and access rules."""
