"""Pseudonymisation of participant ids with a keyed hash, for data that arrives with staff numbers.

A participant id ``x`` becomes ``"P-" + HMAC-SHA256(key, x)`` truncated to 16 hex digits
(64 bits). HMAC (RFC 2104) with a secret key is the keyed-hash pseudonymisation the ICO's
anonymisation and pseudonymisation guidance and ISO/TS 25237 describe: the same id always maps
to the same pseudonym under one key (so tables still join), a different key gives unrelated
pseudonyms, and without the key an id cannot be recovered by hashing candidate staff numbers.
The key comes from an environment variable named in dataset.yaml (``key_env``) and is never
stored.

Applicant ids (the applicants table and the tables keyed by it) are pseudonymised the same way
with their own prefix ``"A-"`` and the hashed text ``"applicant:" + id``, so an applicant id that
happens to equal a staff number does not receive that participant's pseudonym; an applicant who
became a participant is still linked through the applicants table's ``participant_id``.
"""

from __future__ import annotations

import hashlib
import hmac
import os

import pandas as pd

from helpers.data.errors import Problem
from helpers.data.schema import PARTICIPANT_ID_COLUMNS

PREFIX = "P-"
APPLICANT_PREFIX = "A-"
APPLICANT_ID_COLUMNS = ("applicant_id",)
HEX_DIGITS = 16
MIN_KEY_CHARS = 16


def pseudonym_key(meta: dict) -> tuple[bytes | None, list[Problem]]:
    """The secret key from the environment, or a problem saying what to set."""
    settings = meta["pseudonymisation"]
    if not settings.get("enabled"):
        return None, []
    env = str(settings.get("key_env") or "LEADEVAL_PSEUDONYM_KEY")
    key = os.environ.get(env, "")
    if not key:
        return None, [Problem("dataset.yaml", None, "pseudonymisation.key_env", env,
                              f"the environment variable {env} set to the secret pseudonymisation "
                              "key (pseudonymisation is enabled)")]
    if len(key) < MIN_KEY_CHARS:
        return None, [Problem("dataset.yaml", None, "pseudonymisation.key_env", env,
                              f"a key of at least {MIN_KEY_CHARS} characters in {env}")]
    return key.encode("utf-8"), []


def pseudonym(value: str, key: bytes) -> str:
    """``"P-"`` + the first 16 hex digits of HMAC-SHA256(key, value)."""
    digest = hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:HEX_DIGITS]


def applicant_pseudonym(value: str, key: bytes) -> str:
    """``"A-"`` + the first 16 hex digits of HMAC-SHA256(key, "applicant:" + value)."""
    digest = hmac.new(key, ("applicant:" + value).encode("utf-8"), hashlib.sha256).hexdigest()
    return APPLICANT_PREFIX + digest[:HEX_DIGITS]


def key_fingerprint(key: bytes | None) -> str:
    """A value that tells keys apart without revealing them (for cache keys)."""
    if key is None:
        return "none"
    return hmac.new(key, b"leadeval-cache-fingerprint", hashlib.sha256).hexdigest()[:16]


def _replace(tables: dict[str, pd.DataFrame], columns: tuple[str, ...], hash_one) -> None:
    distinct: set[str] = set()
    for df in tables.values():
        for column in columns:
            if column in df.columns:
                distinct.update(df[column].dropna().unique().tolist())
    mapping = {v: hash_one(v) for v in distinct}
    if len(set(mapping.values())) != len(mapping):  # 64-bit collision: astronomically unlikely
        raise RuntimeError("pseudonym collision; use a different key")
    for df in tables.values():
        for column in columns:
            if column in df.columns:
                df[column] = df[column].map(mapping).astype("str")


def pseudonymise(tables: dict[str, pd.DataFrame], key: bytes) -> None:
    """Replace every participant id column, and every applicant id column, in place (each
    distinct id hashed once)."""
    _replace(tables, PARTICIPANT_ID_COLUMNS, lambda v: pseudonym(v, key))
    _replace(tables, APPLICANT_ID_COLUMNS, lambda v: applicant_pseudonym(v, key))
