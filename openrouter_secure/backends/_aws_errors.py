"""How ``aws://`` reads a botocore ``ClientError``: error codes, by meaning, into the error tree."""

from __future__ import annotations

from typing import Any

from .._exceptions import (
    AccessDeniedError,
    BackendUnavailableError,
    ProviderError,
    SecretNotFoundError,
)
from .._refs import SecretRef

__all__ = ["ExistsError", "client_error"]

# Error codes by meaning. AWS services and SDK layers spell the same condition in
# several ways; the lists follow botocore's own retry and credential code tables.
_NOT_FOUND = frozenset({"ResourceNotFoundException"})
_DENIED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "AuthFailure",
        "UnauthorizedOperation",
        "NotAuthorized",
        "InvalidAccessKeyId",
    }
)
_DECRYPT = frozenset({"DecryptionFailure", "KMSAccessDeniedException", "KMSInvalidStateException"})
_THROTTLED = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
        "BandwidthLimitExceeded",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
_SERVER = frozenset(
    {"InternalServiceError", "InternalFailure", "InternalError", "ServiceUnavailable"}
)


class ExistsError(Exception):
    """``create_secret`` lost a race with another writer (internal; never escapes ``put``)."""


def client_error(ref: SecretRef, what: str, err: Any) -> ProviderError | ExistsError:
    error = err.response.get("Error", {})
    code = str(error.get("Code", "Unknown"))
    status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    message = str(error.get("Message", ""))
    if code in _NOT_FOUND:
        return SecretNotFoundError(
            f"AWS Secrets Manager has no secret (or no such version) for {ref}; check the "
            "name, region, stage and version_id",
            ref=ref,
        )
    if code == "InvalidRequestException" and "delet" in message.lower():
        return SecretNotFoundError(
            f"the AWS secret {ref} is scheduled for deletion; restore it with "
            "aws secretsmanager restore-secret --secret-id NAME",
            ref=ref,
        )
    if code == "ResourceExistsException":
        return ExistsError(str(ref))
    if code in _DECRYPT:
        return AccessDeniedError(
            f"AWS Secrets Manager could not decrypt {ref} ({code}): the caller needs "
            "kms:Decrypt on the secret's KMS key, and the key must be enabled",
            ref=ref,
        )
    if code in _DENIED or status in (401, 403):
        if code not in _DENIED:  # an auth layer that answered outside the JSON protocol
            code = f"AccessDenied, HTTP {status}"
        return AccessDeniedError(
            f"AWS refused {what} of {ref} ({code}): check the credentials (expired session? "
            "wrong account?) and that the IAM policy allows it; see docs/backends.md",
            ref=ref,
        )
    if code in _THROTTLED or status == 429:
        return BackendUnavailableError(
            f"AWS Secrets Manager throttled {what} of {ref} ({code}); try again later",
            ref=ref,
            retryable=True,
        )
    if code in _SERVER or (isinstance(status, int) and status >= 500):
        return BackendUnavailableError(
            f"AWS Secrets Manager failed {what} of {ref} ({code}, HTTP {status}); try again later",
            ref=ref,
            retryable=True,
        )
    # AWS error messages describe the request, never the stored value; the error's
    # constructor scrubs them anyway.
    return ProviderError(f"AWS Secrets Manager refused {what} of {ref}: {code}: {message}", ref=ref)
