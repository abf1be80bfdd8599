"""Binary trees for the recursive network: PTB strings or nested tuples, and the
node tables that :class:`skdeep.nn.TreeComposition` reads."""

import re

import numpy as np

__all__ = ["node_table", "parse_tree", "tree_labels", "tree_words"]

_TOKEN = re.compile(r"\(|\)|[^\s()]+")


def parse_tree(text):
    """A PTB-style string ``(3 (2 The) (4 (3 good) (2 film)))`` -> nested tuples.

    A leaf is ``(label, word)``, an internal node ``(label, left, right)``.
    Labels that read as integers become ints.

    Parameters
    ----------
    text : str
        One binarised tree.

    Returns
    -------
    tuple
        The tree.
    """
    tokens = _TOKEN.findall(text)
    position = 0

    def node():
        nonlocal position
        if position >= len(tokens) or tokens[position] != "(":
            raise ValueError(f"Not a PTB tree (expected '(' at token {position}): "
                             f"{text[:60]!r}")
        position += 1
        label = _label(tokens[position])
        position += 1
        if tokens[position] != "(":  # a leaf: (label word), the word may hold
            words = []               # spaces (SST's "8 1\/2")
            while tokens[position] != ")":
                words.append(tokens[position])
                position += 1
            position += 1
            return (label, " ".join(words))
        children = []
        while tokens[position] == "(":
            children.append(node())
        if len(children) != 2 or tokens[position] != ")":
            raise ValueError(f"Trees must be binary: a node has {len(children)} "
                             f"children in {text[:60]!r}.")
        position += 1
        return (label, *children)

    try:
        tree = node()
    except IndexError:
        raise ValueError(f"Unbalanced parentheses in {text[:60]!r}.") from None
    if position != len(tokens):
        raise ValueError(f"Text after the tree in {text[:60]!r}.")
    return tree


def _label(token):
    try:
        return int(token)
    except ValueError:
        return token


def as_tree(tree):
    """A PTB string or a nested tuple -> the labelled tuple form (labels may be
    ``None`` for unlabelled tuples: ``'word'`` leaves, ``(left, right)`` nodes).

    In tuples, labels are numbers (a pair of strings is two words); PTB
    strings take any label.
    """
    if isinstance(tree, str):
        return parse_tree(tree) if tree.lstrip().startswith("(") else (None, tree)
    if isinstance(tree, tuple):
        if (len(tree) == 2 and isinstance(tree[1], str)
                and not isinstance(tree[0], (str, tuple))):
            return tree  # (label, word)
        if len(tree) == 3:
            return (tree[0], as_tree(tree[1]), as_tree(tree[2]))
        if len(tree) == 2:
            return (None, as_tree(tree[0]), as_tree(tree[1]))
    raise ValueError(f"Not a binary tree: {tree!r:.60}. Give PTB strings "
                     "'(3 (2 a) (2 b))' or tuples (label, left, right) / "
                     "(label, 'word').")


def _post_order(tree):
    """Nodes children first, left subtree first, the root last."""
    stack, out = [(tree, False)], []
    while stack:
        node, expanded = stack.pop()
        if len(node) == 2 or expanded:
            out.append(node)
        else:
            stack.extend([(node, True), (node[2], False), (node[1], False)])
    return out


def tree_labels(trees):
    """Every node's label, tree by tree in post-order (the root last)."""
    return [node[0] for tree in trees for node in _post_order(tree)]


def tree_words(trees):
    """The words at the leaves of every tree, in order."""
    return [node[1] for tree in trees for node in _post_order(tree) if len(node) == 2]


def node_table(trees, vocabulary, unknown):
    """The integer node table of many trees: ``(n_nodes, 5)``.

    Columns ``word`` (-1 inside), ``left``, ``right`` (rows; -1 at leaves),
    ``height`` and ``tree`` (its index), rows in post-order tree by tree.

    Parameters
    ----------
    trees : list of tuple
        Trees in the labelled tuple form.
    vocabulary : dict of str -> int
        Word ids.
    unknown : int
        Id of words not in ``vocabulary``.

    Returns
    -------
    ndarray of shape (n_nodes, 5), int64
    """
    rows = []
    for index, tree in enumerate(trees):
        where = {}
        for node in _post_order(tree):
            where[id(node)] = len(rows)
            if len(node) == 2:
                rows.append((vocabulary.get(node[1], unknown), -1, -1, 0, index))
            else:
                left, right = where[id(node[1])], where[id(node[2])]
                height = 1 + max(rows[left][3], rows[right][3])
                rows.append((-1, left, right, height, index))
    return np.array(rows, dtype=np.int64).reshape(-1, 5)
