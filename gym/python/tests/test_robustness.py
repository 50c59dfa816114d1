"""Server restarts, client disconnects, protocol errors and timeouts."""

from __future__ import annotations

import os
import signal
import socket
import struct
import threading
import time

import numpy as np
import pytest

from socsim_gym import (Connection, ConnectionLost, Server, ServerError, ServerStartError,
                        SocSimEnv, SocSimError, SocSimVectorEnv)

from conftest import assert_same_info, random_masked, run_episode


def _kill(server: Server) -> None:
    os.kill(server.pid, signal.SIGKILL)
    server.proc.wait(timeout=10)


def _steps(env, rng, n):
    out = []
    info = env._last_info
    for _ in range(n):
        out.append(env.step(random_masked(rng, info["action_mask"])))
        info = out[-1][4]
    return out


def test_private_server_killed_mid_episode_is_replayed(make_env):
    env, ref = make_env(), make_env()
    env.reset(seed=31)
    ref.reset(seed=31)
    r1, r2 = np.random.default_rng(4), np.random.default_rng(4)
    for a, b in zip(_steps(env, r1, 25), _steps(ref, r2, 25)):
        assert np.array_equal(a[0], b[0])
    old_pid = env.server.pid
    _kill(env.server)
    # the next step reconnects to a new server, replays the 25 steps from the
    # seed and carries on: the trajectory is the uninterrupted one
    for a, b in zip(_steps(env, r1, 40), _steps(ref, r2, 40)):
        assert np.array_equal(a[0], b[0]) and a[1] == b[1]
        assert_same_info(a[4], b[4])
    assert env.server.pid != old_pid and env.server.alive()


def test_private_server_killed_without_recovery_raises_then_reset_works(make_env):
    env = make_env(recover=False)
    _, info = env.reset(seed=1)
    env.step(random_masked(np.random.default_rng(0), info["action_mask"]))
    server = env.server
    _kill(server)
    with pytest.raises(ConnectionLost) as e:
        env.step(0)
    assert "signal 9" in str(e.value)
    with pytest.raises(ConnectionLost) as e:
        env.step(0)
    assert "call reset()" in str(e.value)
    obs, info = env.reset(seed=1)  # a reset needs no history: reconnects
    assert env.server is not server and env.server.alive()
    fresh = make_env()
    fobs, finfo = fresh.reset(seed=1)
    assert np.array_equal(obs, fobs)


@pytest.fixture
def backend() -> str:
    """Everything here is about the server: the socket backend only."""
    return "socket"


def test_vector_env_reconnects_on_reset(socsim, small_config):
    v = SocSimVectorEnv(2, config_path=small_config, options={"slots": 4}, backend="socket")
    try:
        obs0, _ = v.reset(seed=[3, 4])
        v.step([int(np.flatnonzero(m)[0]) for m in v.action_masks()])
        _kill(v._session.server)
        with pytest.raises(ConnectionLost):
            v.step([0, 0])
        with pytest.raises(ConnectionLost):  # a partial reset cannot rebuild the rest
            v.reset(options={"reset_mask": np.array([True, False])})
        obs, info = v.reset(seed=[3, 4])
        assert np.array_equal(obs, obs0)
        v.step([int(np.flatnonzero(m)[0]) for m in v.action_masks()])
    finally:
        v.close()


def test_external_server_restart(socsim, small_config):
    server = Server(socsim, once=False)
    try:
        env = SocSimEnv(config_path=small_config, options={"slots": 4}, address=server.address)
        env.reset(seed=2)
        _kill(server)
        with pytest.raises(ConnectionLost):
            env.step(0)  # nothing listens at the address any more
        env.close()
    finally:
        server.close()
    server2 = Server(socsim, once=False)
    try:
        env2 = SocSimEnv(config_path=small_config, options={"slots": 4}, address=server2.address)
        steps, last = run_episode(env2, seed=2)
        assert steps[-1][2] is True
        env2.close()
    finally:
        server2.close()


def test_disconnect_mid_episode_does_not_hurt_another_client(socsim, small_config):
    server = Server(socsim, once=False)
    try:
        b = SocSimEnv(config_path=small_config, options={"slots": 4}, address=server.address)
        ref = SocSimEnv(config_path=small_config, options={"slots": 4}, backend="socket")
        b.reset(seed=77)
        ref.reset(seed=77)
        rb, rr = np.random.default_rng(9), np.random.default_rng(9)
        # client A: raw connection, an env mid-episode, then vanishes abruptly
        a = Connection(server.address)
        hdr, _ = a.call({"cmd": "make", "config_path": small_config, "options": {"slots": 4}})
        a.call({"cmd": "reset", "env_id": hdr["env_id"], "seed": 1})
        for _ in range(5):
            a.call({"cmd": "step", "env_id": hdr["env_id"], "action": 0})
            _steps(b, rb, 1)
            _steps(ref, rr, 1)
        a._sock.sendall(struct.pack(">II", 1000, 10) + b'{"cmd":')  # half a frame
        a._sock.close()
        # client C: connects and disconnects without a word
        c = socket.socket(socket.AF_UNIX)
        c.connect(server.address[5:])
        c.close()
        for x, y in zip(_steps(b, rb, 60), _steps(ref, rr, 60)):
            assert np.array_equal(x[0], y[0]) and x[1] == y[1]
        assert server.alive()
        b.close()
        ref.close()
    finally:
        server.close()


def test_protocol_errors_get_replies_and_keep_the_connection(socsim, small_config):
    server = Server(socsim, once=False)
    try:
        conn = Connection(server.address)
        other = Connection(server.address)
        hdr, _ = conn.call({"cmd": "make", "config_path": small_config, "options": {"slots": 4}})
        eid = hdr["env_id"]
        for req, code in [({"cmd": "frobnicate"}, "SOC_EPROTO"),
                          ({"cmd": "step", "env_id": eid, "action": 0}, "SOC_ESTATE"),
                          ({"cmd": "reset", "env_id": eid + 1000}, "SOC_EINVAL"),
                          ({"cmd": "step", "env_id": eid, "action": "zero"}, "SOC_EPROTO"),
                          ({"cmd": "reset", "env_id": eid, "options": {"slots": 2}}, "SOC_EINVAL"),
                          ({"cmd": "step_many", "env_ids": [eid, eid], "actions": [0, 0]}, None)]:
            with pytest.raises(ServerError) as e:
                conn.call(req)
            if code:
                assert e.value.code == code, (req, e.value)
        with pytest.raises(ServerError) as e:  # another connection's env is not ours
            other.call({"cmd": "reset", "env_id": eid})
        assert e.value.code == "SOC_EINVAL"
        hdr, arrays = conn.call({"cmd": "reset", "env_id": eid, "seed": 3})
        assert hdr["ok"] is True and arrays["mask"].any()
        conn.close(polite=True)
        other.close()
    finally:
        server.close()


def test_client_timeout_on_a_silent_server(tmp_path):
    path = str(tmp_path / "silent.sock")
    lsock = socket.socket(socket.AF_UNIX)
    lsock.bind(path)
    lsock.listen(1)
    held = []
    t = threading.Thread(target=lambda: held.append(lsock.accept()[0]), daemon=True)
    t.start()
    start = time.monotonic()
    with pytest.raises(ConnectionLost) as e:
        Connection("unix:" + path, timeout=0.3)
    assert "within 0.3 s" in str(e.value) and time.monotonic() - start < 5
    for s in held:
        s.close()
    lsock.close()


def test_server_start_errors_are_clear(tmp_path, monkeypatch):
    with pytest.raises(ServerStartError) as e:
        Server(str(tmp_path / "no-such-socsim"))
    assert "no-such-socsim" in str(e.value)
    fake = tmp_path / "fake-socsim"
    fake.write_text("#!/bin/sh\necho 'broken build' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(ServerStartError) as e:
        Server(str(fake))
    assert "status 3" in str(e.value) and "broken build" in str(e.value)
    monkeypatch.delenv("SOCSIM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ServerStartError) as e:
        SocSimEnv(backend="socket")
    assert "SOCSIM" in str(e.value)


def test_tcp_transport(socsim, small_config):
    # over TCP, config_path is only accepted under --config-root
    server = Server(socsim, once=False,
                    args=["--tcp", "0", "--config-root", os.path.dirname(os.path.abspath(small_config))])
    try:
        assert server.address.startswith("tcp:127.0.0.1:")
        env = SocSimEnv(config_path=small_config, options={"slots": 4}, address=server.address)
        steps, _ = run_episode(env, seed=4)
        ref = SocSimEnv(config_path=small_config, options={"slots": 4})
        rsteps, _ = run_episode(ref, seed=4)
        assert len(steps) == len(rsteps)
        assert all(np.array_equal(x[0], y[0]) for x, y in zip(steps, rsteps))
        env.close()
        ref.close()
    finally:
        server.close()


def test_private_server_goes_away_with_the_env(make_env):
    env = make_env()
    proc = env.server.proc
    env.close()
    assert proc.wait(timeout=10) is not None
    env.close()  # idempotent
    with pytest.raises(SocSimError):
        env.reset()
