"""DeepQLearner: ConvNetJS's deep Q-learning ``Brain`` on the skdeep engine."""

import copy
import math
import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from .._validation import (
    check_bool,
    check_choice,
    check_layer_sizes,
    check_number,
    unchanged_on_failure,
)
from ..nn import Activation, Dense, Sequential
from ..nn.activations import ACTIVATIONS
from ..nn.losses import Huber, SquaredError
from ..nn.optimizers import OPTIMIZERS, clip_grad_norm

__all__ = ["DeepQLearner"]

class DeepQLearner(BaseEstimator):
    """Deep Q-learning agent with experience replay (ConvNetJS's ``Brain``).

    The agent picks actions with :meth:`act` and learns from the rewards it is
    given with :meth:`learn` (ConvNetJS's ``forward`` / ``backward``), or from
    whole transitions with :meth:`observe`. It is **not** a scikit-learn
    estimator: it has no ``fit`` or ``predict`` and no data set, it learns while
    it acts. It subclasses :class:`~sklearn.base.BaseEstimator` only for
    ``get_params``, ``set_params``, :func:`~sklearn.base.clone` and the
    ``repr``, so that parameter sweeps are written as for an estimator; it
    declares no estimator type (``is_classifier`` and ``is_regressor`` are
    false) and is not meant for ``GridSearchCV``, ``Pipeline`` or the
    estimator checks.

    Parameters
    ----------
    n_states : int
        Length of the state vector (ConvNetJS's ``num_states``).
    n_actions : int
        Number of discrete actions (``num_actions``).
    hidden_layer_sizes : tuple of int, default=(64, 64)
        Hidden layers of the Q-network (as :class:`~skdeep.MLPNet`).
    activation : {'relu', 'tanh', 'logistic', 'identity', 'leaky_relu', \
'softplus', 'gaussian'}, default='relu'
        Hidden-layer activation.
    solver : {'adam', 'sgd', 'adagrad', 'adadelta'}, default='adam'
        Optimizer of the temporal-difference steps (ConvNetJS: SGD).
    learning_rate_init : float, default=0.0001
        Step size (smaller than MLPNet's 0.001: on CartPole, 0.001 learns as
        fast but the policy it finds degrades within a few dozen episodes of
        further training; see the user guide).
    momentum : float, default=0.0
        Momentum of ``'sgd'`` (ConvNetJS's ``tdtrainer_options``: 0).
    gamma : float, default=0.99
        Discount of future rewards (ConvNetJS: 0.8).
    batch_size : int, default=64
        Transitions per gradient step (ConvNetJS: 64).
    experience_size : int, default=50000
        Capacity of the replay memory; the oldest transition goes first
        (ConvNetJS: 30000, replacing a random one).
    start_learn_threshold : int, default=1000
        Learning starts once more transitions than this are stored.
    learning_steps_burnin : int, default=1000
        Steps of purely random actions (``epsilon = 1``) before it decays.
    learning_steps_total : int, default=10000
        Step at which the linear decay of ``epsilon`` would reach 0: epsilon
        is ``min(1, max(epsilon_min, 1 - (t - burnin) / (total - burnin)))``
        after ``t`` learning steps, as in ConvNetJS.
    epsilon_min : float, default=0.05
        Exploration rate after the decay.
    epsilon_test_time : float, default=0.0
        Exploration rate of ``act(state, explore=False)`` (ConvNetJS: 0.01).
    temporal_window : int, default=0
        Number of past (state, action) pairs appended to the state as the
        network's input (ConvNetJS: 1; 0 suits Markov states).
    train_frequency : int, default=1
        A gradient step every this many learning steps.
    target_update : int or None, default=1000
        The target network follows the Q-network every this many learning
        steps; ``None`` bootstraps from the Q-network itself (ConvNetJS).
    tau : float, default=1.0
        Share of the Q-network in each target update (1 copies it; 0.005 with
        ``target_update=1`` is a soft update).
    double_q : bool, default=True
        Double DQN: the Q-network picks the next action, the target network
        values it (without a target network: plain Q-learning).
    loss : {'huber', 'squared_error'}, default='huber'
        Loss of the temporal-difference error.
    max_grad_norm : float or None, default=10.0
        Clip the gradient's global L2 norm to this (``None``: no clipping).
    dtype : {'float32', 'float64'}, default='float32'
        Compute dtype of the networks and of the replay memory.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the exploration and the replay sampling.

    Attributes
    ----------
    q_network_ : skdeep.nn.Sequential
        The Q-network: state (and window) in, one value per action out.
    target_network_ : skdeep.nn.Sequential or None
        The copy the bootstrap targets come from.
    optimizer_ : skdeep.nn.Optimizer
        The optimizer, with its moments.
    experience_ : dict of str -> ndarray
        The replay memory: ``'state'``, ``'action'``, ``'reward'``,
        ``'next_state'``, ``'done'``, each of ``experience_size`` rows.
    n_experiences_ : int
        Transitions stored so far (the memory holds the last
        ``min(n_experiences_, experience_size)``).
    n_steps_ : int
        Learning steps (ConvNetJS's ``age``): calls of :meth:`learn` after an
        exploring act, and of :meth:`observe`.
    n_updates_ : int
        Gradient steps.
    epsilon_ : float
        Exploration rate of the latest exploring :meth:`act`.
    loss_ : float or None
        Loss of the latest gradient step.
    n_inputs_ : int
        Input size of the Q-network: ``n_states + temporal_window *
        (n_states + n_actions)``.
    explore_rng_, replay_rng_ : numpy.random.Generator
        Streams of the exploration and of the replay sampling.

    See Also
    --------
    skdeep.rl.CartPole, skdeep.rl.GridWorld : Environments to train it on.

    Notes
    -----
    Each gradient step samples ``batch_size`` stored transitions
    ``(s, a, r, s', done)`` uniformly (with replacement, as ConvNetJS) and
    moves ``Q(s, a)`` towards ``r + gamma (1 - done) Q_target(s', a*)`` with
    ``a* = argmax_a Q(s', a)`` (``double_q``) or ``argmax_a Q_target(s', a)``.
    The step is the engine's: a forward pass of the Q-network, the Huber (or
    squared) loss against targets equal to the outputs except at the chosen
    action (so only that output is trained), the backward pass, gradient
    clipping and the optimizer, all covered by the engine's gradient checks.

    The whole state (arrays, numbers, engine objects, numpy generators)
    pickles, and a pickled agent continues exactly as the original would.

    References
    ----------
    V. Mnih et al., "Human-level control through deep reinforcement learning",
    Nature 518, 2015. A. Karpathy, ConvNetJS ``deepqlearn.js``.

    Examples
    --------
    >>> from skdeep.rl import DeepQLearner, GridWorld
    >>> env = GridWorld(shape=(2, 2))
    >>> agent = DeepQLearner(env.n_states, env.n_actions, hidden_layer_sizes=(8,),
    ...                      start_learn_threshold=4, batch_size=4, random_state=0)
    >>> state, _ = env.reset(seed=0)
    >>> for _ in range(10):
    ...     action = agent.act(state)
    ...     state, reward, terminated, truncated, _ = env.step(action)
    ...     agent.learn(reward, done=terminated, truncated=truncated)
    ...     if terminated or truncated:
    ...         state, _ = env.reset()
    >>> agent.n_steps_, agent.q_values(state).shape
    (10, (1, 4))
    """

    def __init__(self, n_states, n_actions, *, hidden_layer_sizes=(64, 64),
                 activation="relu", solver="adam", learning_rate_init=0.0001,
                 momentum=0.0, gamma=0.99, batch_size=64, experience_size=50000,
                 start_learn_threshold=1000, learning_steps_burnin=1000,
                 learning_steps_total=10000, epsilon_min=0.05, epsilon_test_time=0.0,
                 temporal_window=0, train_frequency=1, target_update=1000, tau=1.0,
                 double_q=True, loss="huber", max_grad_norm=10.0, dtype="float32",
                 random_state=None):
        self.n_states = n_states
        self.n_actions = n_actions
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.momentum = momentum
        self.gamma = gamma
        self.batch_size = batch_size
        self.experience_size = experience_size
        self.start_learn_threshold = start_learn_threshold
        self.learning_steps_burnin = learning_steps_burnin
        self.learning_steps_total = learning_steps_total
        self.epsilon_min = epsilon_min
        self.epsilon_test_time = epsilon_test_time
        self.temporal_window = temporal_window
        self.train_frequency = train_frequency
        self.target_update = target_update
        self.tau = tau
        self.double_q = double_q
        self.loss = loss
        self.max_grad_norm = max_grad_norm
        self.dtype = dtype
        self.random_state = random_state

    # ------------------------------------------------------------ parameters
    def _check_params(self):
        """Validate every parameter; return the built-from values."""
        integer = numbers.Integral
        for name in ("n_states", "n_actions", "batch_size", "experience_size",
                     "train_frequency"):
            check_number(name, getattr(self, name), kind=integer, low=1)
        for name in ("start_learn_threshold", "learning_steps_burnin",
                     "temporal_window"):
            check_number(name, getattr(self, name), kind=integer, low=0)
        check_number("learning_steps_total", self.learning_steps_total, kind=integer,
                     low=self.learning_steps_burnin, low_inclusive=False)
        check_choice("activation", self.activation, ACTIVATIONS)
        check_choice("solver", self.solver, OPTIMIZERS)
        check_choice("loss", self.loss, ("huber", "squared_error"))
        check_number("learning_rate_init", self.learning_rate_init, low=0,
                     low_inclusive=False)
        check_number("gamma", self.gamma, low=0, high=1)
        for name in ("momentum", "epsilon_min", "epsilon_test_time"):
            check_number(name, getattr(self, name), low=0, high=1)
        check_number("target_update", self.target_update, kind=integer, low=1,
                     allow_none=True)
        check_number("tau", self.tau, low=0, high=1, low_inclusive=False)
        check_number("max_grad_norm", self.max_grad_norm, low=0, low_inclusive=False,
                     allow_none=True)
        check_bool("double_q", self.double_q)
        try:  # np.dtype(None) would be float64: None is refused too
            dtype = None if self.dtype is None else np.dtype(self.dtype).name
        except TypeError:
            dtype = None
        if dtype not in ("float32", "float64"):
            raise ValueError("The 'dtype' parameter must be 'float32' or 'float64'; "
                             f"got {self.dtype!r}.")
        return {"n_states": int(self.n_states), "n_actions": int(self.n_actions),
                "hidden_layer_sizes": check_layer_sizes(
                    "hidden_layer_sizes", self.hidden_layer_sizes),
                "activation": self.activation, "solver": self.solver,
                "experience_size": int(self.experience_size),
                "temporal_window": int(self.temporal_window),
                "dtype": dtype, "random_state": self.random_state}

    def set_params(self, **params):
        """Set parameters; a started agent keeps what it was built from.

        Parameters that shape the networks or the memory (``n_states``,
        ``n_actions``, ``hidden_layer_sizes``, ``activation``, ``solver``,
        ``experience_size``, ``temporal_window``, ``dtype``, ``random_state``)
        cannot change once the agent has acted; the others (``gamma``, the
        epsilon schedule, ``batch_size``, ``learning_rate_init``, ...) take
        effect at the next step. A refused change leaves the agent as it was.

        Parameters
        ----------
        **params : dict
            Parameter names and values.

        Returns
        -------
        self : DeepQLearner
            This agent.
        """
        with unchanged_on_failure(self):
            super().set_params(**params)
            if hasattr(self, "_built_with"):
                now = self._check_params()
                for name, value in self._built_with.items():
                    if now[name] != value:
                        raise ValueError(
                            f"{name}={getattr(self, name)!r}: this agent was built "
                            f"with {name}={value!r} and has started learning, so "
                            f"{name} cannot change; clone(agent) gives a new agent "
                            "with the new value.")
                self._configure()
        return self

    # ------------------------------------------------------------ state
    def _initialize(self):
        """Build the networks, the optimizer and the memory (first act/observe)."""
        built = self._check_params()
        dtype = np.dtype(built["dtype"])
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        init, explore, replay = np.random.SeedSequence(seed).spawn(3)
        init_rng = np.random.default_rng(init)
        n_in = built["n_states"] + built["temporal_window"] * (
            built["n_states"] + built["n_actions"])
        sizes = [n_in, *built["hidden_layer_sizes"], built["n_actions"]]
        layers = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Dense(a, b, rng=init_rng, dtype=dtype, input_grad=i > 0))
            if i < len(sizes) - 2:
                layers.append(Activation(self.activation))
        q_network = Sequential(layers)
        size = built["experience_size"]
        self.q_network_, self.target_network_ = q_network, None
        self.experience_ = {
            "state": np.zeros((size, n_in), dtype=dtype),
            "action": np.zeros(size, dtype=np.intp),
            "reward": np.zeros(size, dtype=dtype),
            "next_state": np.zeros((size, n_in), dtype=dtype),
            "done": np.zeros(size, dtype=bool),
        }
        self.n_inputs_ = n_in
        self.n_experiences_ = self.n_steps_ = self.n_updates_ = 0
        self.epsilon_, self.loss_ = 1.0, None
        self.explore_rng_ = np.random.default_rng(explore)
        self.replay_rng_ = np.random.default_rng(replay)
        # the current episode, for act/learn: past (state, one-hot action) rows,
        # newest first, and the transition waiting for its reward or next state
        self._window = np.zeros((built["temporal_window"],
                                 built["n_states"] + built["n_actions"]), dtype=dtype)
        self._pending = None  # (input, action, reward or None) of the last act
        self._acted = False
        self._built_with = built
        self.optimizer_ = None
        self._configure()

    def _configure(self):
        """Apply the parameters that may change between steps."""
        lr = float(self.learning_rate_init)
        if self.optimizer_ is None:
            # Adadelta sets its own step sizes (as in MLPNet)
            self.optimizer_ = (OPTIMIZERS["sgd"](lr, self.momentum, nesterov=False)
                               if self.solver == "sgd" else OPTIMIZERS["adadelta"]()
                               if self.solver == "adadelta" else
                               OPTIMIZERS[self.solver](lr))
        else:
            self.optimizer_.learning_rate_init = self.optimizer_.learning_rate_ = lr
            if self.solver == "sgd":
                self.optimizer_.momentum = float(self.momentum)
            if self.solver == "adadelta":  # sets its own step sizes
                self.optimizer_.learning_rate_init = self.optimizer_.learning_rate_ = 1.0
        self.loss_function_ = Huber() if self.loss == "huber" else SquaredError()
        # the target network starts as a copy of the Q-network; ConvNetJS has
        # none (target_update=None bootstraps from the Q-network itself)
        if self.target_update is None:
            self.target_network_ = None
        elif self.target_network_ is None:
            self.target_network_ = copy.deepcopy(self.q_network_)

    def _ready(self):
        if not hasattr(self, "_built_with"):
            self._initialize()

    def _check_state(self, state, name="state"):
        # a copy: the state may wait for the next act before it is stored, and
        # the caller may reuse its array meanwhile
        x = np.array(state, dtype=self.experience_["state"].dtype)
        if x.shape != (self._built_with["n_states"],):
            raise ValueError(f"{name} must be a vector of n_states="
                             f"{self._built_with['n_states']} numbers; got shape "
                             f"{np.shape(state)}.")
        if not np.isfinite(x).all():
            raise ValueError(f"{name} must be finite (no NaN or infinity).")
        return x

    def _check_action(self, action):
        if (isinstance(action, (bool, np.bool_))
                or not isinstance(action, (numbers.Integral, np.integer))
                or not 0 <= action < self._built_with["n_actions"]):
            raise ValueError("action must be an integer in [0, n_actions="
                             f"{self._built_with['n_actions']}); got {action!r}.")
        return int(action)

    # ------------------------------------------------------------ acting
    def epsilon_at(self, step):
        """Exploration rate of an exploring :meth:`act` after ``step`` learning steps.

        Parameters
        ----------
        step : int
            Learning steps so far (ConvNetJS's ``age``).

        Returns
        -------
        float
            ``min(1, max(epsilon_min, 1 - (step - burnin) / (total - burnin)))``.
        """
        burnin = self.learning_steps_burnin
        span = self.learning_steps_total - burnin
        return min(1.0, max(self.epsilon_min, 1.0 - (step - burnin) / span))

    def act(self, state, *, explore=True):
        """Choose an action for ``state`` (ConvNetJS's ``forward``).

        Parameters
        ----------
        state : array-like of shape (n_states,)
            The current state.
        explore : bool, default=True
            Explore with the scheduled epsilon and remember the (state, action)
            for the next :meth:`learn`. ``False`` is the policy at test time: a
            random action with probability ``epsilon_test_time``, else the
            greedy one; nothing is remembered for learning.

        Returns
        -------
        action : int
            The chosen action, in ``[0, n_actions)``.
        """
        self._ready()
        x = self._check_state(state)
        window = self._window
        if window.shape[0]:  # (n_states,) + (window, n_states + n_actions)
            x = np.concatenate([x, window.reshape(-1)])
        if self._pending is not None and self._pending[2] is not None:
            self._store(*self._pending, x, False)  # its next state is x
        epsilon = self.epsilon_at(self.n_steps_) if explore else self.epsilon_test_time
        if explore:
            self.epsilon_ = epsilon
        if epsilon > 0 and self.explore_rng_.random() < epsilon:
            action = int(self.explore_rng_.integers(self._built_with["n_actions"]))
        else:
            action = int(np.argmax(self.q_network_.forward(x[None], training=False)))
        if window.shape[0]:
            window[1:] = window[:-1]
            window[0] = 0
            n_states = self._built_with["n_states"]
            window[0, :n_states] = x[:n_states]
            window[0, n_states + action] = 1
        self._pending = (x, action, None) if explore else None
        self._acted = True
        return action

    def q_values(self, states):
        """The Q-network's values of states.

        Parameters
        ----------
        states : array-like of shape (n_samples, n_inputs) or (n_inputs,)
            States; with ``temporal_window > 0``, whole network inputs (the
            state followed by the window).

        Returns
        -------
        ndarray of shape (n_samples, n_actions)
            The Q-network's value of each action.
        """
        self._ready()
        x = np.asarray(states, dtype=self.experience_["state"].dtype)
        x = x.reshape(1, -1) if x.ndim == 1 else x  # one state -> a batch of one
        if x.ndim != 2 or x.shape[1] != self.n_inputs_:
            raise ValueError(f"states must have n_inputs_={self.n_inputs_} columns; "
                             f"got shape {np.shape(states)}.")
        return self.q_network_.forward(x, training=False)

    # ------------------------------------------------------------ learning
    def learn(self, reward, *, done=False, truncated=False):
        """Reward the latest :meth:`act` and learn (ConvNetJS's ``backward``).

        The transition is stored when its next state is known: at the next
        :meth:`act`, or now when ``done``. Then, once enough transitions are
        stored, a gradient step runs every ``train_frequency`` calls.

        Parameters
        ----------
        reward : float
            The reward of the latest action.
        done : bool, default=False
            The action ended the episode in a terminal state: nothing follows,
            the next :meth:`act` starts a new episode.
        truncated : bool, default=False
            The episode was cut short (a step limit): the next :meth:`act`
            starts a new episode, and this transition, whose next state the
            agent will not see, is not stored.

        Returns
        -------
        None
            The agent is updated in place.
        """
        if not getattr(self, "_acted", False):
            raise RuntimeError("learn(reward) rewards the latest act(state): call "
                               "act first (once per reward).")
        self._acted = False
        check_number("reward", reward)
        if self._pending is not None:  # the act explored: learn from it
            state, action, _ = self._pending
            # a terminal transition has no next state: its own is a placeholder
            if done:
                self._store(state, action, reward, state, True)
            self._pending = None if done or truncated else (state, action,
                                                             float(reward))
            self._step()
        if done or truncated:
            self._window[...] = 0

    def observe(self, state, action, reward, next_state, done):
        """Store one transition and learn from the memory.

        The explicit form of :meth:`act` + :meth:`learn`, for transitions that
        come from elsewhere (another policy, a log). Needs
        ``temporal_window=0``.

        Parameters
        ----------
        state : array-like of shape (n_states,)
            The state the action was taken in.
        action : int
            The action taken.
        reward : float
            The reward it earned.
        next_state : array-like of shape (n_states,)
            The state the action led to (at a truncation too).
        done : bool
            ``next_state`` is terminal (Gymnasium's ``terminated``).

        Returns
        -------
        None
            The agent is updated in place.
        """
        self._ready()
        if self._built_with["temporal_window"]:
            raise ValueError("observe() takes single transitions; with "
                             "temporal_window > 0 use act() and learn(), which "
                             "build the window.")
        self._store(self._check_state(state), self._check_action(action),
                    check_number("reward", reward),
                    self._check_state(next_state, "next_state"),
                    check_bool("done", done))
        self._step()

    def _store(self, state, action, reward, next_state, done):
        memory = self.experience_
        row = self.n_experiences_ % self._built_with["experience_size"]
        memory["state"][row] = state
        memory["action"][row] = action
        memory["reward"][row] = reward
        memory["next_state"][row] = next_state
        memory["done"][row] = done
        self.n_experiences_ += 1

    def _step(self):
        """One learning step: maybe a gradient step, maybe a target update."""
        self.n_steps_ += 1
        n_stored = min(self.n_experiences_, self._built_with["experience_size"])
        if (n_stored > self.start_learn_threshold
                and self.n_steps_ % self.train_frequency == 0):
            self._gradient_step(n_stored)
        if (self.target_network_ is not None
                and self.n_steps_ % self.target_update == 0):
            tau = self.tau
            for t, p in zip(self.target_network_.param_arrays(),
                            self.q_network_.param_arrays()):
                if tau == 1:
                    np.copyto(t, p)
                else:
                    t *= t.dtype.type(1 - tau)
                    t += t.dtype.type(tau) * p

    def _gradient_step(self, n_stored):
        memory, net = self.experience_, self.q_network_
        rows = self.replay_rng_.integers(n_stored, size=self.batch_size)
        state, next_state = memory["state"][rows], memory["next_state"][rows]
        action = memory["action"][rows]
        target_net = net if self.target_network_ is None else self.target_network_
        next_q = target_net.forward(next_state, training=False)  # (batch, n_actions)
        batch = np.arange(len(rows))
        if self.double_q and target_net is not net:
            best = np.argmax(net.forward(next_state, training=False), axis=1)
            next_value = next_q[batch, best]
        else:
            next_value = next_q.max(axis=1)
        next_value[memory["done"][rows]] = 0
        q = net.forward(state, training=True)
        # targets equal to the outputs except at the chosen action: only that
        # output has an error, so only it is trained
        target = q.copy()
        target[batch, action] = memory["reward"][rows] + q.dtype.type(
            self.gamma) * next_value
        loss, grad = self.loss_function_.loss(q, target)
        if not math.isfinite(loss):
            net.clear_cache()
            raise ValueError(
                "The temporal-difference loss is no longer finite after "
                f"{self.n_updates_} gradient steps: the Q-values diverged; try a "
                f"smaller learning_rate_init (now {self.learning_rate_init}) or "
                "max_grad_norm.")
        net.backward(grad)
        net.clear_cache()  # keeps the pickled state to weights and memory
        grads = net.grad_arrays()
        if self.max_grad_norm is not None:
            clip_grad_norm(grads, self.max_grad_norm)
        self.optimizer_.step(net.param_arrays(), grads)
        self.n_updates_ += 1
        self.loss_ = loss
