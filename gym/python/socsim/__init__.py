"""``socsim`` for notebooks: run the simulator in process.

    import socsim
    m = socsim.run("examples/poisson_soc.yaml", scheduler="heft", seed=3)
    m["avg_latency_us"]          # same number as `socsim run ... --json`

The Gymnasium environments are in :mod:`socsim_gym`.
"""

from socsim_gym.inproc import episode_seed, metrics_from_completions, run

__all__ = ["run", "episode_seed", "metrics_from_completions"]
