"""Reinforcement learning on the skdeep engine: ConvNetJS's deep Q-learning.

:class:`DeepQLearner` is ConvNetJS's ``deepqlearn.Brain`` in Python: ``act`` /
``learn`` (``forward`` / ``backward``), experience replay, an epsilon schedule,
a temporal window, plus a target network and double Q-learning. It is not a
scikit-learn estimator (it learns while it acts, from rewards, not from a data
set); it has ``get_params``/``set_params`` and clones, so sweeps are written as
for an estimator.

:class:`CartPole` and :class:`GridWorld` are small NumPy environments with
Gymnasium's ``reset``/``step`` interface; :func:`run_episode` plays one episode.
"""

from ._deepq import DeepQLearner
from .envs import CartPole, GridWorld, run_episode

__all__ = ["CartPole", "DeepQLearner", "GridWorld", "run_episode"]
