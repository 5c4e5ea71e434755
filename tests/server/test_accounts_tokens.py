"""Access tokens (claims, every kind of bad token refused) and refresh-token rotation, reuse and grace."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest

from sync.server.accounts.clock import ManualClock
from sync.server.accounts.errors import InvalidAccessToken, InvalidRefreshToken
from sync.server.accounts.memory import InMemoryRepository
from sync.server.accounts.tokens import AUDIENCE, AccessTokens, RefreshTokens, hash_refresh_token

KEY = b"a" * 32


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def access(clock: ManualClock) -> AccessTokens:
    return AccessTokens(KEY, issuer="printstall-test", clock=clock)


@pytest.fixture
def repo() -> InMemoryRepository:
    return InMemoryRepository()


@pytest.fixture
def refresh(repo: InMemoryRepository, clock: ManualClock) -> RefreshTokens:
    return RefreshTokens(repo, b"r" * 32, clock=clock)


def test_access_token_carries_the_claims(access: AccessTokens, clock: ManualClock) -> None:
    token, expires = access.issue("user-1", "device-1", "session-1")
    assert expires == clock.now + timedelta(minutes=10)
    claims = access.decode(token)
    assert (claims.user_id, claims.device_id, claims.session_id) == ("user-1", "device-1", "session-1")
    assert claims.expires_at == expires and claims.issued_at == clock.now
    raw = jwt.decode(token, KEY, algorithms=["HS256"], audience=AUDIENCE, options={"verify_exp": False})
    assert raw["aud"] == "printstall-sync" and raw["iss"] == "printstall-test" and raw["jti"]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_an_expired_access_token_is_refused(access: AccessTokens, clock: ManualClock) -> None:
    token, _ = access.issue("user-1", "device-1", "session-1")
    clock.advance(minutes=9, seconds=59)
    access.decode(token)
    clock.advance(seconds=1)
    with pytest.raises(InvalidAccessToken):
        access.decode(token)


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_tampered_access_token_is_refused(access: AccessTokens) -> None:
    token, _ = access.issue("user-1", "device-1", "session-1")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "user-2"
    with pytest.raises(InvalidAccessToken):
        access.decode(f"{header}.{_b64(claims)}.{signature}")
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    with pytest.raises(InvalidAccessToken):
        access.decode(unsigned)
    with pytest.raises(InvalidAccessToken):
        access.decode("not a token")


@pytest.mark.parametrize(
    "change",
    [{"aud": "another-service"}, {"iss": "someone-else"}, {"sid": None}, {"did": 7}],
)
def test_wrong_audience_issuer_or_claims_are_refused(
    access: AccessTokens, clock: ManualClock, change: dict[str, object]
) -> None:
    now = int(clock.now.timestamp())
    claims: dict[str, object] = {
        "sub": "user-1",
        "aud": AUDIENCE,
        "iss": "printstall-test",
        "iat": now,
        "exp": now + 600,
        "jti": "j",
        "did": "d",
        "sid": "s",
    }
    access.decode(jwt.encode(claims, KEY, algorithm="HS256"))
    claims.update(change)
    claims = {k: v for k, v in claims.items() if v is not None}
    with pytest.raises(InvalidAccessToken):
        access.decode(jwt.encode(claims, KEY, algorithm="HS256"))


def test_another_key_is_refused(access: AccessTokens, clock: ManualClock) -> None:
    token, _ = AccessTokens(b"b" * 32, issuer="printstall-test", clock=clock).issue("u", "d", "s")
    with pytest.raises(InvalidAccessToken):
        access.decode(token)


def test_short_keys_are_refused(repo: InMemoryRepository) -> None:
    with pytest.raises(ValueError):
        AccessTokens(b"short")
    with pytest.raises(ValueError):
        RefreshTokens(repo, b"short")


def test_refresh_tokens_are_stored_hashed_and_rotate(
    refresh: RefreshTokens, repo: InMemoryRepository
) -> None:
    first = refresh.start("user-1", "device-1")
    assert len(first.token) >= 43 and first.token not in repo.tokens
    assert first.row.token_hash == hash_refresh_token(first.token)
    second = refresh.rotate(first.token)
    assert second.token != first.token and second.row.family_id == first.row.family_id
    assert repo.tokens[first.row.token_hash].successor_hash == second.row.token_hash
    third = refresh.rotate(second.token)
    assert third.token not in {first.token, second.token}


def test_reuse_after_the_grace_revokes_the_family(
    refresh: RefreshTokens, repo: InMemoryRepository, clock: ManualClock
) -> None:
    first = refresh.start("user-1", "device-1")
    other_device = refresh.start("user-1", "device-2")
    second = refresh.rotate(first.token)
    clock.advance(seconds=61)
    with pytest.raises(InvalidRefreshToken) as caught:
        refresh.rotate(first.token)
    assert caught.value.reused
    with pytest.raises(InvalidRefreshToken) as caught:
        refresh.rotate(second.token)  # the thief's (or the client's) successor dies with the family
    assert not caught.value.reused
    refresh.rotate(other_device.token)  # another sign-in is not affected


def test_reuse_within_60_seconds_gets_the_same_successor(refresh: RefreshTokens, clock: ManualClock) -> None:
    first = refresh.start("user-1", "device-1")
    second = refresh.rotate(first.token)
    clock.advance(seconds=60)
    again = refresh.rotate(first.token)
    assert again.token == second.token and again.row == second.row
    refresh.rotate(again.token)  # and the client carries on from there


def test_grace_does_not_cover_a_successor_already_used(refresh: RefreshTokens) -> None:
    first = refresh.start("user-1", "device-1")
    second = refresh.rotate(first.token)
    third = refresh.rotate(second.token)
    with pytest.raises(InvalidRefreshToken) as caught:
        refresh.rotate(first.token)
    assert caught.value.reused
    with pytest.raises(InvalidRefreshToken):
        refresh.rotate(third.token)


def test_unknown_expired_and_revoked_tokens_are_refused(refresh: RefreshTokens, clock: ManualClock) -> None:
    with pytest.raises(InvalidRefreshToken):
        refresh.rotate("made-up")
    old = refresh.start("user-1", "device-1")
    clock.advance(days=30)
    with pytest.raises(InvalidRefreshToken) as caught:
        refresh.rotate(old.token)
    assert not caught.value.reused
    live = refresh.start("user-1", "device-1")
    assert refresh.revoke_family(live.row.family_id) == 1
    with pytest.raises(InvalidRefreshToken):
        refresh.rotate(live.token)


def test_a_lost_rotation_race_is_judged_as_a_retry(
    refresh: RefreshTokens, repo: InMemoryRepository, clock: ManualClock
) -> None:
    first = refresh.start("user-1", "device-1")
    # Another replica rotates between this request's read and its compare-and-swap.
    original = repo.get_refresh_token

    def read_then_lose(token_hash: str):  # type: ignore[no-untyped-def]
        row = original(token_hash)
        if token_hash == first.row.token_hash and row is not None and row.rotated_at is None:
            repo.get_refresh_token = original  # type: ignore[method-assign]
            winner = RefreshTokens(repo, b"r" * 32, clock=clock)
            won = winner.rotate(first.token)
            assert won.row.token_hash == repo.tokens[first.row.token_hash].successor_hash
        return row

    repo.get_refresh_token = read_then_lose  # type: ignore[method-assign]
    again = refresh.rotate(first.token)
    assert again.row.token_hash == repo.tokens[first.row.token_hash].successor_hash


def test_revoke_user_can_keep_one_family(refresh: RefreshTokens) -> None:
    mine = refresh.start("user-1", "device-1")
    theirs = refresh.start("user-1", "device-2")
    stranger = refresh.start("user-2", "device-3")
    assert refresh.revoke_user("user-1", keep_family=mine.row.family_id) == 1
    refresh.rotate(mine.token)
    refresh.rotate(stranger.token)
    with pytest.raises(InvalidRefreshToken):
        refresh.rotate(theirs.token)
