"""Small environments in NumPy with Gymnasium's interface.

Both environments follow Gymnasium's (``gymnasium.Env``) API, so that an agent
loop written for them also runs on Gymnasium's environments:

* ``reset(seed=None) -> (state, info)``: a new episode; ``seed`` re-seeds the
  environment's :class:`numpy.random.Generator` (the first ``reset`` without a
  seed draws one from the operating system, as Gymnasium does);
* ``step(action) -> (state, reward, terminated, truncated, info)``:
  ``terminated`` when the episode reached a terminal state (no future reward),
  ``truncated`` when it was cut short by the step limit (the state still has a
  future; an agent should bootstrap from it).

Gymnasium's ``observation_space`` / ``action_space`` objects are replaced by
two integers, ``n_states`` (length of the state vector) and ``n_actions``.
:func:`run_episode` plays one episode of any such environment with an agent.
"""

import math

import numpy as np

__all__ = ["CartPole", "GridWorld", "run_episode"]


class _Env:
    """The episode bookkeeping both environments share."""

    n_states = 0
    n_actions = 0

    def __init__(self, max_episode_steps):
        self.max_episode_steps = int(max_episode_steps)
        if self.max_episode_steps < 1:
            raise ValueError(f"The 'max_episode_steps' parameter must be >= 1; got "
                             f"{max_episode_steps!r}.")
        self.np_random = None
        self.elapsed_steps = 0
        self._over = True

    def _seed(self, seed):
        if seed is not None or self.np_random is None:
            self.np_random = np.random.default_rng(seed)

    def _check_step(self, action):
        if self._over:
            raise RuntimeError(f"{type(self).__name__}.step() needs a running "
                               "episode: call reset() first (the last episode "
                               "ended, or none began).")
        if (isinstance(action, (bool, np.bool_))
                or not isinstance(action, (int, np.integer))
                or not 0 <= action < self.n_actions):
            raise ValueError(f"action must be an integer in [0, {self.n_actions}); "
                             f"got {action!r}.")
        self.elapsed_steps += 1

    def _end(self, terminated):
        truncated = not terminated and self.elapsed_steps >= self.max_episode_steps
        self._over = terminated or truncated
        return truncated


class CartPole(_Env):
    """Balance a pole on a cart (Barto, Sutton and Anderson 1983).

    The dynamics and constants of Gymnasium's ``CartPole-v1`` (which are
    those of the paper without friction), with the 200-step episodes of
    ``CartPole-v0``, whose success criterion is an average return of at least
    195 over 100 consecutive episodes.

    Parameters
    ----------
    max_episode_steps : int, default=200
        Episodes are truncated after this many steps (``CartPole-v0``: 200,
        ``CartPole-v1``: 500).

    Attributes
    ----------
    state : tuple of float
        ``(x, x_dot, theta, theta_dot)`` in float64: cart position (m) and
        velocity, pole angle from vertical (rad) and angular velocity.
    n_states : int
        4.
    n_actions : int
        2: push the cart left (0) or right (1) with ``force_mag`` newtons.
    np_random : numpy.random.Generator or None
        Draws the initial states.
    elapsed_steps : int
        Steps of the current episode.

    See Also
    --------
    GridWorld : A discrete task.
    run_episode : Plays one episode with an agent.

    Notes
    -----
    With ``F = ±force_mag``, ``m = masspole``, ``M = masscart + m``,
    ``l = length`` (half the pole) and ``g = gravity``, the equations of motion
    are (Barto et al. 1983, no friction)::

        tmp = (F + m l θ̇² sin θ) / M
        θ̈ = (g sin θ - cos θ · tmp) / (l (4/3 - m cos² θ / M))
        ẍ = tmp - m l θ̈ cos θ / M

    integrated by explicit Euler steps of ``tau`` seconds, positions first
    from the old velocities (Gymnasium's ``'euler'``). Every step earns a
    reward of 1, the last one included. The episode terminates when
    ``|x| > 2.4`` or ``|θ| > 12°``; initial states are uniform in
    ``[-0.05, 0.05]⁴``. Observations are float32 copies of ``state``.

    References
    ----------
    A. G. Barto, R. S. Sutton and C. W. Anderson, "Neuronlike adaptive elements
    that can solve difficult learning control problems", IEEE Transactions on
    Systems, Man, and Cybernetics 13(5), 1983.

    Examples
    --------
    >>> from skdeep.rl import CartPole
    >>> env = CartPole()
    >>> state, info = env.reset(seed=0)
    >>> state.shape, state.dtype
    ((4,), dtype('float32'))
    >>> state, reward, terminated, truncated, info = env.step(1)
    >>> reward, terminated, truncated
    (1.0, False, False)
    """

    n_states = 4
    n_actions = 2
    gravity = 9.8
    masscart = 1.0
    masspole = 0.1
    length = 0.5  # half the pole's length
    force_mag = 10.0
    tau = 0.02  # seconds between state updates
    x_threshold = 2.4
    theta_threshold_radians = 12 * 2 * math.pi / 360

    def __init__(self, max_episode_steps=200):
        super().__init__(max_episode_steps)
        self.state = None

    def reset(self, seed=None):
        """Start an episode from a random state near upright.

        Parameters
        ----------
        seed : int or None, default=None
            Re-seeds the environment's generator.

        Returns
        -------
        state : ndarray of shape (4,), float32
            The first state: position, velocity, angle, angular velocity.
        info : dict
            Empty.
        """
        self._seed(seed)
        self.state = tuple(float(v) for v in
                           self.np_random.uniform(-0.05, 0.05, size=4))
        self.elapsed_steps, self._over = 0, False
        return np.array(self.state, dtype=np.float32), {}

    def step(self, action):
        """Push the cart and advance the simulation by ``tau`` seconds.

        Parameters
        ----------
        action : int
            0 pushes left, 1 pushes right.

        Returns
        -------
        state : ndarray of shape (4,), float32
            The next state.
        reward : float
            1.0.
        terminated : bool
            The cart left the track or the pole fell past 12°.
        truncated : bool
            The episode reached ``max_episode_steps`` without terminating.
        info : dict
            Empty.
        """
        self._check_step(action)
        x, x_dot, theta, theta_dot = self.state
        force = self.force_mag if action == 1 else -self.force_mag
        total_mass = self.masspole + self.masscart
        polemass_length = self.masspole * self.length
        cos, sin = math.cos(theta), math.sin(theta)
        temp = (force + polemass_length * theta_dot * theta_dot * sin) / total_mass
        theta_acc = (self.gravity * sin - cos * temp) / (
            self.length * (4.0 / 3.0 - self.masspole * cos * cos / total_mass))
        x_acc = temp - polemass_length * theta_acc * cos / total_mass
        x = x + self.tau * x_dot
        x_dot = x_dot + self.tau * x_acc
        theta = theta + self.tau * theta_dot
        theta_dot = theta_dot + self.tau * theta_acc
        self.state = (x, x_dot, theta, theta_dot)
        terminated = bool(abs(x) > self.x_threshold
                          or abs(theta) > self.theta_threshold_radians)
        truncated = self._end(terminated)
        return np.array(self.state, dtype=np.float32), 1.0, terminated, truncated, {}

    def __repr__(self):
        return f"CartPole(max_episode_steps={self.max_episode_steps})"


class GridWorld(_Env):
    """Walk from a start cell to a goal cell on a grid with walls.

    A small, deterministic, discrete task for checking an agent: the state is
    the one-hot cell, and each of the four actions moves the agent by one cell.

    Parameters
    ----------
    shape : tuple of int, default=(4, 4)
        Rows and columns.
    start : tuple of int, default=(0, 0)
        The start cell (row, column): every episode begins there.
    goal : tuple of int or None, default=None
        The goal cell; ``None`` is the corner opposite ``(0, 0)``.
    walls : sequence of tuple of int, default=()
        Cells that cannot be entered.
    max_episode_steps : int, default=100
        Episodes are truncated after this many steps.

    Attributes
    ----------
    position : tuple of int
        The agent's cell.
    n_states : int
        ``rows * columns``: the state is the one-hot vector of the cell.
    n_actions : int
        4: up (0), right (1), down (2), left (3).
    elapsed_steps : int
        Steps of the current episode.

    See Also
    --------
    CartPole : A continuous control task.
    run_episode : Plays one episode with an agent.

    Notes
    -----
    A move into a wall or off the grid leaves the agent where it is. Reaching
    the goal earns 1 and terminates the episode; every other step earns 0, so
    a discount ``gamma < 1`` makes the shortest path the best policy. The
    environment is deterministic; ``reset(seed)`` is accepted for the common
    interface.

    Examples
    --------
    >>> from skdeep.rl import GridWorld
    >>> env = GridWorld(shape=(2, 2))
    >>> state, info = env.reset(seed=0)
    >>> state
    array([1., 0., 0., 0.], dtype=float32)
    >>> env.step(1)[:4]  # right
    (array([0., 1., 0., 0.], dtype=float32), 0.0, False, False)
    >>> env.step(2)[1:4]  # down, onto the goal
    (1.0, True, False)
    """

    n_actions = 4
    #: (row, column) moves of up, right, down, left
    MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))

    def __init__(self, shape=(4, 4), start=(0, 0), goal=None, walls=(),
                 max_episode_steps=100):
        super().__init__(max_episode_steps)
        self.shape = tuple(int(s) for s in shape)
        if len(self.shape) != 2 or min(self.shape) < 1:
            raise ValueError(f"The 'shape' parameter must be (rows, columns) of "
                             f"positive sizes; got {shape!r}.")
        self.start = self._cell("start", start)
        self.goal = self._cell("goal", (self.shape[0] - 1, self.shape[1] - 1)
                               if goal is None else goal)
        self.walls = frozenset(self._cell("walls", w) for w in walls)
        if self.start == self.goal or {self.start, self.goal} & self.walls:
            raise ValueError("start, goal and walls must be different cells.")
        self.n_states = self.shape[0] * self.shape[1]
        self.position = self.start

    def _cell(self, name, cell):
        cell = tuple(int(c) for c in cell)
        if len(cell) != 2 or not all(0 <= c < s for c, s in zip(cell, self.shape)):
            raise ValueError(f"The {name!r} parameter must hold cells inside the "
                             f"{self.shape} grid; got {cell!r}.")
        return cell

    def _observation(self):
        state = np.zeros(self.n_states, dtype=np.float32)
        state[self.position[0] * self.shape[1] + self.position[1]] = 1
        return state

    def reset(self, seed=None):
        """Start an episode at ``start``.

        Parameters
        ----------
        seed : int or None, default=None
            Re-seeds the environment's generator (which nothing draws from).

        Returns
        -------
        state : ndarray of shape (n_states,), float32
            One-hot vector of the cell.
        info : dict
            Empty.
        """
        self._seed(seed)
        self.position = self.start
        self.elapsed_steps, self._over = 0, False
        return self._observation(), {}

    def step(self, action):
        """Move one cell.

        Parameters
        ----------
        action : int
            0 up, 1 right, 2 down, 3 left.

        Returns
        -------
        state : ndarray of shape (n_states,), float32
            The next state (a one-hot position).
        reward : float
            1.0 on reaching the goal, else 0.0.
        terminated : bool
            The goal was reached.
        truncated : bool
            The episode reached ``max_episode_steps`` without terminating.
        info : dict
            Empty.
        """
        self._check_step(action)
        d_row, d_col = self.MOVES[action]
        row, col = self.position[0] + d_row, self.position[1] + d_col
        if (0 <= row < self.shape[0] and 0 <= col < self.shape[1]
                and (row, col) not in self.walls):
            self.position = (row, col)
        terminated = self.position == self.goal
        truncated = self._end(terminated)
        return self._observation(), float(terminated), terminated, truncated, {}

    def __repr__(self):
        return (f"GridWorld(shape={self.shape}, start={self.start}, goal={self.goal}, "
                f"walls={sorted(self.walls)}, "
                f"max_episode_steps={self.max_episode_steps})")


def run_episode(env, agent, *, explore=True, seed=None):
    """Play one episode of ``env`` with ``agent``; return its return and length.

    The loop of every reinforcement-learning script: ``act`` on each state,
    ``learn`` from each reward, until the environment terminates or truncates the
    episode.

    Parameters
    ----------
    env : environment
        With Gymnasium's ``reset``/``step`` (:class:`~skdeep.rl.CartPole`,
        :class:`~skdeep.rl.GridWorld`, or a ``gymnasium`` environment).
    agent : DeepQLearner
        The agent.
    explore : bool, default=True
        Explore and learn (``act(state)`` + ``learn``); ``False`` plays the
        test-time policy (``act(state, explore=False)``), which learns nothing
        and changes nothing but the agent's exploration stream.
    seed : int or None, default=None
        Passed to ``env.reset``.

    Returns
    -------
    total_reward : float
        Sum of the episode's rewards.
    n_steps : int
        Its length.

    See Also
    --------
    DeepQLearner : The agent.
    CartPole : An environment.

    Examples
    --------
    >>> from skdeep.rl import DeepQLearner, GridWorld, run_episode
    >>> env = GridWorld(shape=(2, 2), max_episode_steps=5)
    >>> agent = DeepQLearner(4, 4, hidden_layer_sizes=(4,), random_state=0)
    >>> total, n_steps = run_episode(env, agent, seed=0)
    >>> n_steps <= 5
    True
    """
    state, _ = env.reset(seed=seed)
    total, n_steps = 0.0, 0
    while True:
        action = agent.act(state, explore=explore)
        state, reward, terminated, truncated, _ = env.step(action)
        total += reward
        n_steps += 1
        # after a test-time act, learn only ends the episode (the window)
        agent.learn(reward, done=terminated, truncated=truncated)
        if terminated or truncated:
            return total, n_steps
