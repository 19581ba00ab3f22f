"""Built-in secret backends, one module each.

Each module imports its SDK only inside the provider's methods, so importing the
module (or ``openrouter_secure``) never needs the extra.
"""
