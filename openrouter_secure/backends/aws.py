"""``aws://NAME_OR_ARN``: AWS Secrets Manager through boto3.

Install with ``pip install "openrouter-secure[aws]"``.

Reference grammar::

    aws://prod/openrouter?region=eu-west-1#api_key
    aws://arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/openrouter-AbCdEf
    aws://prod/openrouter?stage=AWSPREVIOUS          # the version before the last rotation
    aws://prod/openrouter?version_id=0c7d...          # one exact version

The whole path is the secret id (a name with ``/`` in it, or a full ARN). Params:
``region`` (else the ARN's region, else ``AWS_REGION``, else boto3's usual
``AWS_DEFAULT_REGION`` / profile),
``profile``, ``endpoint_url`` (``https://`` or a loopback ``http://``), ``stage``
(default ``AWSCURRENT``, always sent: see below), ``version_id``, ``timeout`` (seconds
for connect and for read, default 5 and 10), ``recovery_days`` (for ``delete``) and
``kms_key_id`` (used only when ``put`` creates the secret).

Credentials come from boto3's standard chain (environment, ``~/.aws``, SSO, container
and instance roles), never from the reference. Every read names a version stage
explicitly: a read with neither stage nor id is resolved server side, and some
implementations (moto among them) then pick a stale version after a rotation moved
``AWSCURRENT``.

Every call is bounded: ``connect_timeout`` / ``read_timeout`` and botocore's
``standard`` retry mode with ``max_attempts`` (default 3) attempts, which backs off on
throttling and 5xx. Clients are cached per (region, profile, endpoint_url, timeouts).
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from typing import Any
from urllib.parse import urlsplit

from .._exceptions import (
    AccessDeniedError,
    BackendUnavailableError,
    InvalidReferenceError,
    SecretFormatError,
    SecretNotFoundError,
)
from .._net import transport_allowed
from .._provider import Availability, SecretEntry, SecretProvider, SecretVersion, select_field
from .._refs import SecretRef
from .._secret import Secret
from ._aws_errors import ExistsError, client_error

__all__ = ["DEFAULT_RECOVERY_DAYS", "AwsProvider"]

DEFAULT_RECOVERY_DAYS = 30
"""``delete`` schedules deletion this many days out (AWS's own default, its maximum)."""

_STAGES = ("AWSCURRENT", "AWSPREVIOUS", "AWSPENDING")

# botocore logs whole request params and response bodies at DEBUG (``botocore.endpoint``
# "Making request ... with params", ``botocore.parsers`` "Response body"): with DEBUG on,
# every secret read or written would be in the log, before a ``Secret`` exists to mark the
# value as known. Those two loggers' DEBUG records are dropped; everything else passes.
_BODY_LOGGERS = ("botocore.endpoint", "botocore.parsers")


class _DropBodyLogs(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


_body_filter = _DropBodyLogs("openrouter-secure")


def _quiet_body_logs() -> None:
    for name in _BODY_LOGGERS:
        logger = logging.getLogger(name)
        if _body_filter not in logger.filters:
            logger.addFilter(_body_filter)


def _env_region() -> str | None:
    """``AWS_REGION`` when set and not blank."""
    return os.environ.get("AWS_REGION", "").strip() or None


def _arn_region(secret_id: str) -> str | None:
    # arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME
    parts = secret_id.split(":", 6)
    if len(parts) == 7 and parts[0] == "arn" and parts[2] == "secretsmanager" and parts[3]:
        return parts[3]
    return None


class AwsProvider(SecretProvider):
    """AWS Secrets Manager. See the module docstring for the reference grammar.

    ``connect_timeout`` / ``read_timeout`` (seconds) and ``max_attempts`` (total tries,
    first included) bound every call; a reference's ``?timeout=`` overrides both
    timeouts. ``recovery_days`` is the default recovery window of :meth:`delete`.
    """

    name = "aws"
    extra = "aws"
    params = frozenset(
        {
            "region",
            "profile",
            "endpoint_url",
            "stage",
            "version_id",
            "timeout",
            "recovery_days",
            "kms_key_id",
        }
    )

    def __init__(
        self,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
        max_attempts: int = 3,
        recovery_days: int = DEFAULT_RECOVERY_DAYS,
    ) -> None:
        if connect_timeout <= 0 or read_timeout <= 0 or max_attempts < 1:
            raise ValueError("timeouts must be > 0 and max_attempts >= 1")
        _check_recovery(recovery_days, None)
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_attempts = max_attempts
        self.recovery_days = recovery_days
        self._clients: dict[tuple[str | None, ...], Any] = {}
        self._lock = threading.Lock()

    @classmethod
    def availability(cls) -> Availability:
        # No import and no network: boto3 takes a few hundred ms to import, and
        # credentials are checked on first use, where the error can say what to fix.
        if not (sdk := cls.check_sdk("boto3")):
            return sdk
        from importlib.metadata import version

        return Availability(True, f"boto3 {version('boto3')}; credentials from boto3's chain")

    # -- clients -----------------------------------------------------------------------

    def _client(self, ref: SecretRef) -> Any:
        # AWS_REGION is what the AWS CLI and the other AWS SDKs read first; boto3 reads
        # only AWS_DEFAULT_REGION (and the profile), which it still does when this is unset.
        region = ref.param("region") or _arn_region(ref.path) or _env_region()
        profile = ref.param("profile")
        endpoint = ref.param("endpoint_url")
        if endpoint is not None:
            parts = urlsplit(endpoint)
            if parts.scheme not in ("https", "http") or not parts.hostname:
                raise InvalidReferenceError(f"{ref}: endpoint_url must be an http(s) URL")
            # A loopback emulator (moto, LocalStack) may be plain http; nothing else.
            if not transport_allowed(parts, allow_insecure_loopback=True):
                raise InvalidReferenceError(
                    f"{ref}: endpoint_url uses plain http to a non-loopback host; "
                    "secrets would cross the network unencrypted. Use https://"
                )
        connect, read = self.connect_timeout, self.read_timeout
        if (raw := ref.param("timeout")) is not None:
            connect = read = _seconds(ref, raw)
        key = (region, profile, endpoint, str(connect), str(read))
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = self._new_client(ref, key, connect, read)
            return client

    def _new_client(
        self, ref: SecretRef, key: tuple[str | None, ...], connect: float, read: float
    ) -> Any:
        boto3 = self.import_sdk("boto3")
        _quiet_body_logs()
        config_mod = self.import_sdk("botocore.config")
        exc = self.import_sdk("botocore.exceptions")
        region, profile, endpoint = key[0], key[1], key[2]
        config = config_mod.Config(
            connect_timeout=connect,
            read_timeout=read,
            # total_max_attempts counts the first try; botocore's "max_attempts" would not.
            retries={"total_max_attempts": self.max_attempts, "mode": "standard"},
            user_agent_extra="openrouter-secure",
        )
        try:
            # A session per client: boto3's default session is not safe to share across
            # threads while clients are created, and a profile is per session anyway.
            session = boto3.session.Session(profile_name=profile)
            return session.client(
                "secretsmanager", region_name=region, endpoint_url=endpoint, config=config
            )
        except exc.ProfileNotFound:
            raise AccessDeniedError(
                f"{ref}: the AWS profile {profile!r} is not configured; add it to "
                "~/.aws/config (aws configure --profile NAME) or drop ?profile=",
                ref=ref,
            ) from None
        except exc.NoRegionError:
            raise InvalidReferenceError(
                f"{ref}: no AWS region; add ?region=..., use the secret's full ARN, "
                "set AWS_REGION or AWS_DEFAULT_REGION, or give the profile a region"
            ) from None

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    # -- errors ------------------------------------------------------------------------

    def _call(self, ref: SecretRef, what: str, operation: str, **kwargs: Any) -> Any:
        """``client.<operation>(**kwargs)`` with every failure mapped to the error tree."""
        client = self._client(ref)
        exc = self.import_sdk("botocore.exceptions")
        try:
            return getattr(client, operation)(**kwargs)
        except exc.ClientError as err:
            raise client_error(ref, what, err) from None
        except (exc.NoCredentialsError, exc.PartialCredentialsError) as err:
            raise AccessDeniedError(
                f"{ref}: no AWS credentials found for {what} ({type(err).__name__}). Set "
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, run  aws configure  or  aws sso login, "
                "pass ?profile=, or run with an IAM role",
                ref=ref,
            ) from None
        except (exc.CredentialRetrievalError, exc.TokenRetrievalError) as err:
            raise AccessDeniedError(
                f"{ref}: AWS credentials could not be loaded for {what} "
                f"({type(err).__name__}); if you use SSO, run  aws sso login",
                ref=ref,
            ) from None
        except exc.ParamValidationError:
            raise InvalidReferenceError(
                f"{ref}: AWS refused the request parameters for {what}; check the secret "
                "name, version_id and stage"
            ) from None
        except (exc.ConnectTimeoutError, exc.ReadTimeoutError) as err:
            raise BackendUnavailableError(
                f"AWS Secrets Manager did not answer {what} of {ref} in time "
                f"({type(err).__name__} after {self.max_attempts} attempt(s)); "
                "check the network or raise ?timeout=",
                ref=ref,
            ) from None
        except (exc.ConnectionError, exc.HTTPClientError) as err:
            raise BackendUnavailableError(
                f"AWS Secrets Manager is unreachable for {what} of {ref} "
                f"({type(err).__name__}); check the network, region and endpoint_url",
                ref=ref,
            ) from None

    # -- operations --------------------------------------------------------------------

    def get(self, ref: SecretRef) -> Secret:
        kwargs: dict[str, Any] = {"SecretId": ref.path}
        version_id, stage = ref.param("version_id"), ref.param("stage")
        if version_id:
            kwargs["VersionId"] = version_id
        if stage or not version_id:
            kwargs["VersionStage"] = _stage(ref, stage or "AWSCURRENT")
        response = self._call(ref, "a read", "get_secret_value", **kwargs)
        if response.get("SecretString") is not None:
            payload: str | bytes = response["SecretString"]
        elif response.get("SecretBinary") is not None:
            payload = bytes(response["SecretBinary"])
        else:
            raise SecretFormatError(f"{ref}: the secret version holds no value", ref=ref)
        return select_field(ref, payload)

    def put(self, ref: SecretRef, value: Secret | str) -> str | None:
        """Store ``value`` as a new version labelled ``AWSCURRENT``; returns its VersionId.

        The secret is created when absent (by name; an ARN must already exist). A value
        that is valid UTF-8 is stored as ``SecretString``, anything else as
        ``SecretBinary``. ``#field`` is not supported: write the whole JSON object.
        """
        if ref.field is not None:
            raise InvalidReferenceError(
                f"{ref}: put() writes the whole secret; drop the #field and store the JSON object"
            )
        if ref.param("version_id") or ref.param("stage"):
            raise InvalidReferenceError(
                f"{ref}: put() always makes a new AWSCURRENT version; drop stage/version_id"
            )
        raw = value.reveal_bytes() if isinstance(value, Secret) else value.encode("utf-8")
        try:
            body: dict[str, Any] = {"SecretString": raw.decode("utf-8")}
        except UnicodeDecodeError:
            body = {"SecretBinary": raw}
        token = str(uuid.uuid4())  # idempotency: a retried call makes one version
        try:
            response = self._call(
                ref,
                "a write",
                "put_secret_value",
                SecretId=ref.path,
                ClientRequestToken=token,
                **body,
            )
        except SecretNotFoundError:
            if _arn_region(ref.path) is not None:
                raise
            create: dict[str, Any] = {"Name": ref.path, "ClientRequestToken": token, **body}
            if kms := ref.param("kms_key_id"):
                create["KmsKeyId"] = kms
            try:
                response = self._call(ref, "a create", "create_secret", **create)
            except ExistsError:
                # Another writer created it between our two calls: add our version.
                response = self._call(
                    ref,
                    "a write",
                    "put_secret_value",
                    SecretId=ref.path,
                    ClientRequestToken=str(uuid.uuid4()),
                    **body,
                )
        version = response.get("VersionId")
        return str(version) if version else None

    def delete(self, ref: SecretRef, *, recovery_days: int | None = None) -> None:
        """Schedule the secret for deletion after a recovery window.

        The window is ``recovery_days`` (this call), else ``?recovery_days=``, else the
        provider's default (30 days): 7 to 30, restorable until then with
        ``aws secretsmanager restore-secret``. ``0`` deletes at once with no recovery;
        it must be asked for explicitly.
        """
        raw = ref.param("recovery_days")
        days = recovery_days
        if days is None and raw is not None:
            try:
                days = int(raw)
            except ValueError:
                days = -1
        days = self.recovery_days if days is None else days
        _check_recovery(days, ref)
        kwargs: dict[str, Any] = {"SecretId": ref.path}
        if days == 0:
            kwargs["ForceDeleteWithoutRecovery"] = True
        else:
            kwargs["RecoveryWindowInDays"] = days
        self._call(ref, "a delete", "delete_secret", **kwargs)

    def versions(self, ref: SecretRef) -> list[SecretVersion]:
        """The versions that carry a staging label (AWS drops unlabelled ones), newest first."""
        found: list[SecretVersion] = []
        kwargs: dict[str, Any] = {"SecretId": ref.path, "MaxResults": 100}
        while True:
            page = self._call(ref, "a version listing", "list_secret_version_ids", **kwargs)
            for item in page.get("Versions", []):
                found.append(
                    SecretVersion(
                        version=str(item["VersionId"]),
                        created=item.get("CreatedDate"),
                        stages=tuple(item.get("VersionStages", ())),
                    )
                )
            if not (token := page.get("NextToken")):
                break
            kwargs["NextToken"] = token
        # Creation times have one-second resolution: break ties by stage, newest label first.
        found.sort(key=lambda v: (v.created is not None, v.created, _stage_rank(v)), reverse=True)
        return found

    def list_secrets(self, prefix: SecretRef) -> list[SecretEntry]:
        """Secrets whose name starts with ``prefix.path`` (``aws://prod/``), with their
        last change and description. Secrets scheduled for deletion are left out. The
        listed references keep the prefix's ``region``, ``profile`` and ``endpoint_url``."""
        kwargs: dict[str, Any] = {"MaxResults": 100}
        if prefix.path:
            kwargs["Filters"] = [{"Key": "name", "Values": [prefix.path]}]
        keep = [(k, v) for k, v in prefix.params if k in ("region", "profile", "endpoint_url")]
        found: list[SecretEntry] = []
        while True:
            page = self._call(prefix, "a listing", "list_secrets", **kwargs)
            for item in page.get("SecretList", []):
                name = str(item.get("Name", ""))
                if not name.startswith(prefix.path):  # AWS's name filter ignores case
                    continue
                found.append(
                    SecretEntry(
                        SecretRef.build("aws", name, keep),
                        item.get("LastChangedDate") or item.get("CreatedDate"),
                        str(item.get("Description") or ""),
                    )
                )
            if not (token := page.get("NextToken")):
                break
            kwargs["NextToken"] = token
        return sorted(found, key=lambda e: e.ref.path)


def _stage_rank(version: SecretVersion) -> int:
    ranks = {"AWSPENDING": 3, "AWSCURRENT": 2, "AWSPREVIOUS": 1}
    return max((ranks.get(s, 0) for s in version.stages), default=0)


def _stage(ref: SecretRef, stage: str) -> str:
    if not stage or len(stage) > 256 or any(c.isspace() for c in stage):
        raise InvalidReferenceError(f"{ref}: stage must be a staging label such as AWSCURRENT")
    if stage.upper() in _STAGES:
        return stage.upper()
    return stage  # a custom staging label


def _seconds(ref: SecretRef, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 300:
        raise InvalidReferenceError(f"{ref}: timeout must be seconds in (0, 300] (got {raw!r})")
    return value


def _check_recovery(days: int, ref: SecretRef | None) -> None:
    if days != 0 and not 7 <= days <= 30:
        raise InvalidReferenceError(
            (f"{ref}: " if ref else "")
            + f"recovery_days must be 7 to 30 (or 0 to delete at once), not {days}"
        )
