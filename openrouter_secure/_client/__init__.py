"""The OpenRouter client on httpx.

:mod:`._base` holds everything the two clients share but the I/O (settings, retries,
the local limiter, management-key checks, one :class:`~._call.Call` per API method),
:mod:`._chat` a chat completion from request to answer with its privacy-preserving log
lines, and :mod:`._sync` and :mod:`._async` add the I/O. :mod:`._auth` holds the origin
policy that keeps the key on ``https://`` to allowed hosts and the settings every
key-carrying httpx client is built from, :mod:`._errors` the sanitized, truncated API
errors, :mod:`._types` the response types and :mod:`._sse` the server-sent-events
parser. Public names are re-exported from :mod:`openrouter_secure` and
:mod:`openrouter_secure.types`.
"""
