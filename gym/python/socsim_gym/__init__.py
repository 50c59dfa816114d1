"""Gymnasium client of the socsim SoC scheduling simulator.

``import socsim_gym`` registers ``socsim/Scheduling-v0``::

    import gymnasium as gym
    import socsim_gym

    env = gym.make("socsim/Scheduling-v0", options={"slots": 8})
    obs, info = env.reset(seed=1)
    obs, reward, terminated, truncated, info = env.step(
        env.action_space.sample(info["action_mask"]))

By default the simulator runs in this process (the ``socsim_gym._core``
extension, built with the package against ``libsocsim.a``); with
``backend="socket"`` or an ``address`` the environment talks to
``socsim serve`` (gym/PROTOCOL.md), starting its own server from
``$SOCSIM`` or PATH when no address is given.
"""

from gymnasium.envs.registration import register, registry

from . import inproc
from .env import SocSimEnv
from .inproc import episode_seed, metrics_from_completions, run
from .policy import MLPPolicy, WeightsError, from_numpy, from_rllib, from_sb3, from_torch
from .protocol import (ConnectionLost, Connection, ProtocolError, Server, ServerError,
                       ServerStartError, Session, SocSimError, find_socsim)
from .vector import SocSimVectorEnv

__version__ = "0.1.0"
ENV_ID = "socsim/Scheduling-v0"

if ENV_ID not in registry:
    register(id=ENV_ID, entry_point="socsim_gym.env:SocSimEnv",
             vector_entry_point="socsim_gym.vector:SocSimVectorEnv",
             nondeterministic=False)

HAVE_INPROC = inproc.AVAILABLE

__all__ = ["ENV_ID", "SocSimEnv", "SocSimVectorEnv", "MLPPolicy", "WeightsError", "from_numpy",
           "run", "episode_seed", "metrics_from_completions", "HAVE_INPROC",
           "from_torch", "from_sb3", "from_rllib", "Connection", "Server", "Session", "SocSimError",
           "ServerError", "ConnectionLost", "ProtocolError", "ServerStartError", "find_socsim"]
