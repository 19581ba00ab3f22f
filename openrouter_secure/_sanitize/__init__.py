"""The Sanitizer: finding and masking secrets in text, data, exceptions, log records
and streams.

The rules table (:mod:`._rules`), the scan engines that find rule candidates
(:mod:`._scan`, and :mod:`._hyperscan` when the ``fast`` extra is installed), the
:class:`~._sanitizer.Sanitizer` that confirms and masks them, the streaming wrapper,
the logging integration and keyed fingerprints. Public names are re-exported from
:mod:`openrouter_secure`.
"""
