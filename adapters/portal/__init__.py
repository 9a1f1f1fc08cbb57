"""The public portal: server-rendered pages of published notices, readable without JavaScript."""
