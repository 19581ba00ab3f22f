"""The OpenRouter client on httpx.

The shared request building, privacy-preserving logging and error mapping live in
:mod:`._base`; :mod:`._sync` and :mod:`._async` add the I/O. :mod:`._auth` holds the
origin policy that keeps the key on ``https://`` to allowed hosts, :mod:`._errors` the
sanitized, truncated API errors, :mod:`._types` the response types and :mod:`._sse`
the server-sent-events parser. Public names are re-exported from
:mod:`openrouter_secure` and :mod:`openrouter_secure.types`.
"""
