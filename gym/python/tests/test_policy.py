"""MLPPolicy: weights file round trip, validation, exporters (numpy, torch, SB3)."""

from __future__ import annotations

import subprocess
from types import SimpleNamespace

import numpy as np
import pytest

from socsim_gym import MLPPolicy, WeightsError, from_numpy, from_sb3, from_torch
from socsim_gym.policy import torch_layers


def small_policy(seed=0, slots=2, n_pes=3, obs_dim=37, mode="pair", hidden=(5, 4), **kw):
    rng = np.random.default_rng(seed)
    n_act = {"pair": slots * n_pes, "pe": n_pes, "task": slots}[mode]
    sizes = [obs_dim, *hidden, n_act]
    acts = ["tanh", "relu", "linear", "tanh"]
    layers = [(rng.normal(size=(sizes[i + 1], sizes[i])), rng.normal(size=sizes[i + 1]),
               "linear" if i == len(sizes) - 2 else acts[i % 2]) for i in range(len(sizes) - 1)]
    return MLPPolicy(layers=layers, slots=slots, action_mode=mode, time_scale_us=12.625,
                     n_pes=n_pes, obs_dim=obs_dim, **kw)


def test_round_trip_is_exact(tmp_path):
    rng = np.random.default_rng(5)
    pol = small_policy(input_shift=rng.normal(size=37), input_scale=rng.uniform(0.5, 2, 37),
                       input_clip=3.5)
    pol.comment = "a test policy\nsecond line"
    path = tmp_path / "p.weights"
    pol.save(str(path))
    text = path.read_text()
    assert text.startswith("# a test policy\n# second line\nsocsim-mlp 1\n")
    back = MLPPolicy.load(str(path))
    for (W, b, a), (W2, b2, a2) in zip(pol.layers, back.layers):
        assert a == a2
        assert np.array_equal(W, W2) and np.array_equal(b, b2)  # bit for bit
    assert np.array_equal(back.input_shift, pol.input_shift)
    assert back.input_clip == 3.5 and back.time_scale_us == 12.625
    x = rng.uniform(size=(10, 37))
    assert np.array_equal(back.logits(x), pol.logits(x))
    back.comment = pol.comment
    assert back.dumps() == pol.dumps()


def test_forward_pass_matches_a_hand_computation():
    W1 = np.array([[1.0, -1.0], [0.5, 0.5]])
    b1 = np.array([0.0, -1.0])
    W2 = np.array([[2.0, 0.0], [0.0, 3.0], [1.0, 1.0]])
    b2 = np.array([0.1, 0.2, 0.3])
    pol = MLPPolicy(layers=[(W1, b1, "relu"), (W2, b2, "linear")], slots=1, action_mode="pe",
                    time_scale_us=1.0, n_pes=3, obs_dim=2,
                    input_shift=np.array([1.0, 0.0]), input_scale=np.array([2.0, 1.0]), input_clip=5)
    x = np.array([4.0, 1.0])
    # preprocessing: (4-1)*2 = 6 -> clipped to 5; (1-0)*1 = 1
    h = np.maximum(W1 @ np.array([5.0, 1.0]) + b1, 0)  # [4, 2]
    expect = W2 @ h + b2  # [8.1, 6.2, 6.3]
    assert np.allclose(pol.logits(x), expect)
    assert pol.act(x, np.array([1, 1, 1])) == 0
    assert pol.act(x, np.array([0, 1, 1])) == 2
    assert pol.act(x, np.array([0, 0, 0])) == -1
    assert list(pol.act(np.stack([x, x]), np.array([[0, 1, 0], [1, 0, 1]]))) == [1, 0]


def test_ties_go_to_the_lowest_index():
    pol = MLPPolicy(layers=[(np.zeros((4, 3)), np.array([1.0, 2.0, 2.0, 2.0]), "linear")],
                    slots=4, action_mode="task", time_scale_us=1.0, n_pes=2, obs_dim=3)
    assert pol.act(np.zeros(3), np.ones(4)) == 1
    assert pol.act(np.zeros(3), np.array([1, 0, 1, 1])) == 2


@pytest.mark.parametrize("mutate, message", [
    (lambda t: t.replace("socsim-mlp 1", "socsim-mlp 2"), "version"),
    (lambda t: t.replace("socsim-mlp", "mlp"), "socsim-mlp"),
    (lambda t: t.replace("action_mode pair", "action_mode both"), "action_mode"),
    (lambda t: t.replace("dense 5 4 relu", "dense 5 4 gelu"), "activation"),
    (lambda t: t.replace("dense 5 4 relu", "dense 6 4 relu"), ""),
    (lambda t: t.replace("\nend\n", "\n"), "end"),
    (lambda t: t + "extra\n", "after 'end'"),
    (lambda t: t.replace("layers 3", "layers 3 # comment\n# more comments"), None),
])
def test_malformed_files_are_rejected_with_a_position(tmp_path, mutate, message):
    text = mutate(small_policy().dumps())
    if message is None:
        MLPPolicy.loads(text)  # comments are fine anywhere
        return
    with pytest.raises(WeightsError) as e:
        MLPPolicy.loads(text, name="f.weights")
    assert message in str(e.value)


def test_truncated_numbers_name_line_and_column():
    lines = small_policy().dumps().splitlines()
    i = next(k for k, l in enumerate(lines) if l.startswith("dense")) + 1
    lines[i] = lines[i].rsplit(" ", 1)[0] + " nan"
    with pytest.raises(WeightsError) as e:
        MLPPolicy.loads("\n".join(lines), name="f.weights")
    assert f"f.weights:{i + 1}:" in str(e.value)


def test_validation_catches_dimension_mismatches():
    with pytest.raises(WeightsError):
        small_policy(hidden=()).__class__(
            layers=[(np.zeros((5, 36)), np.zeros(5), "linear")], slots=2, action_mode="pair",
            time_scale_us=1, n_pes=3, obs_dim=37)
    with pytest.raises(WeightsError):  # last layer must give n_actions = 2 * 3 outputs
        MLPPolicy(layers=[(np.zeros((5, 37)), np.zeros(5), "linear")], slots=2,
                  action_mode="pair", time_scale_us=1, n_pes=3, obs_dim=37)
    with pytest.raises(WeightsError):
        MLPPolicy(layers=[(np.full((6, 37), np.inf), np.zeros(6), "linear")], slots=2,
                  action_mode="pair", time_scale_us=1, n_pes=3, obs_dim=37)
    with pytest.raises(WeightsError):
        MLPPolicy(layers=[(np.zeros((6, 37)), np.zeros(6), "linear")], slots=2,
                  action_mode="pair", time_scale_us=0, n_pes=3, obs_dim=37)


def test_from_numpy_takes_the_env_description():
    env = SimpleNamespace(env_options={"slots": 2, "action_mode": "pe", "time_scale_us": 7.5},
                          pe_names=["a", "b", "c"],
                          observation_space=SimpleNamespace(shape=(37,)),
                          action_space=SimpleNamespace(n=3))
    pol = from_numpy([(np.ones((3, 37)), np.zeros(3), "linear")], env)
    assert (pol.slots, pol.action_mode, pol.time_scale_us, pol.n_pes, pol.obs_dim) == (2, "pe", 7.5, 3, 37)
    pol.matches(env)
    env.env_options["time_scale_us"] = 8.0
    with pytest.raises(WeightsError):
        pol.matches(env)


# -- torch/SB3 exporters, through stand-ins with the attributes torch has ----

class _Tensor:
    def __init__(self, a):
        self.a = np.asarray(a, dtype=np.float32)

    def detach(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        return self.a


class Linear:
    def __init__(self, W, b):
        self.weight, self.bias = _Tensor(W), _Tensor(b)


class Tanh:
    pass


class ReLU:
    pass


class Dropout:
    pass


class Sequential:
    def __init__(self, *mods):
        self.mods = list(mods)

    def children(self):
        return iter(self.mods)


def test_torch_layers_mapping():
    rng = np.random.default_rng(0)
    W1, b1, W2, b2, W3, b3 = (rng.normal(size=s) for s in [(4, 37), 4, (4, 4), 4, (6, 4), 6])
    seq = Sequential(Linear(W1, b1), Tanh(), Sequential(Linear(W2, b2), ReLU(), Dropout()), Linear(W3, b3))
    layers = torch_layers(seq.children())
    assert [a for _, _, a in layers] == ["tanh", "relu", "linear"]
    assert np.array_equal(layers[0][0], W1.astype(np.float32).astype(np.float64))
    pol = from_torch(seq, slots=2, action_mode="pair", time_scale_us=3.0, n_pes=3)
    assert pol.obs_dim == 37 and pol.n_actions == 6
    with pytest.raises(WeightsError):
        torch_layers([Tanh(), Linear(W1, b1)])

    class Conv2d:
        pass
    with pytest.raises(WeightsError):
        torch_layers([Linear(W1, b1), Conv2d()])


def test_sb3_export_with_vecnormalize():
    rng = np.random.default_rng(1)
    W1, b1, W2, b2 = (rng.normal(size=s) for s in [(8, 37), 8, (6, 8), 6])

    class FlattenExtractor:
        pass

    policy = SimpleNamespace(mlp_extractor=SimpleNamespace(policy_net=Sequential(Linear(W1, b1), Tanh())),
                             action_net=Linear(W2, b2), features_extractor=FlattenExtractor())
    model = SimpleNamespace(policy=policy)
    vn = SimpleNamespace(norm_obs=True, obs_rms=SimpleNamespace(mean=np.full(37, 0.5), var=np.full(37, 4.0)),
                         epsilon=1e-8, clip_obs=10.0)
    pol = from_sb3(model, vec_normalize=vn, slots=2, action_mode="pair", time_scale_us=3.0, n_pes=3)
    assert [a for _, _, a in pol.layers] == ["tanh", "linear"]
    assert np.allclose(pol.input_scale, 0.5) and pol.input_clip == 10.0
    x = rng.uniform(size=37)
    h = np.tanh(W1.astype(np.float32) @ np.clip((x - 0.5) / np.sqrt(4.0 + 1e-8), -10, 10)
                + b1.astype(np.float32))
    assert np.allclose(pol.logits(x), W2.astype(np.float32) @ h + b2.astype(np.float32), atol=1e-5)
    policy.features_extractor = object()
    with pytest.raises(WeightsError):
        from_sb3(model, slots=2, action_mode="pair", time_scale_us=3.0, n_pes=3)


def test_real_torch_if_installed():
    torch = pytest.importorskip("torch")
    net = torch.nn.Sequential(torch.nn.Linear(37, 16), torch.nn.Tanh(), torch.nn.Linear(16, 6))
    pol = from_torch(net, slots=2, action_mode="pair", time_scale_us=3.0, n_pes=3)
    x = np.random.default_rng(0).uniform(size=(5, 37)).astype(np.float32)
    with torch.no_grad():
        ref = net(torch.from_numpy(x)).numpy()
    assert np.allclose(pol.logits(x), ref, atol=1e-5)


def test_c_loader_reports_mismatch_and_syntax_errors(socsim, small_config, tmp_path):
    """The simulator refuses files that do not fit, with exit code 2 and a clear message."""
    wrong_pes = small_policy(slots=4, n_pes=5, obs_dim=87)
    p = tmp_path / "wrong.weights"
    wrong_pes.save(str(p))
    r = subprocess.run([socsim, "run", "--scheduler", f"neural:{p}", small_config],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "5" in r.stderr and "4" in r.stderr, r.stderr  # Top: 3 CPUs + memory
    broken = tmp_path / "broken.weights"
    broken.write_text(small_policy().dumps().replace("dense 5 4 relu", "dense 5 4 gelu"))
    r = subprocess.run([socsim, "run", "--scheduler", f"neural:{broken}", small_config],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "broken.weights:" in r.stderr, r.stderr
