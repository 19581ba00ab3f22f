"""``openrouter-secure doctor``: where it looks, what it checks, how it fixes and
reports. Only the CLI uses it."""
