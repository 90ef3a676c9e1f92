"""Exact proportional shares without summing ``Fraction``s: integer bounds, proven rounding.

The allocation splits a whole budget ``B`` in proportion to ``w_i = p_i / q_i`` (posts over
population; the rate's factor 100 000 cancels). The exact share is ``a_i = B * w_i / S`` with
``S = sum(w_j)``. Summing ``Fraction``s with many different denominators builds a denominator
that is the least common multiple of all populations (about 20 bits more per region), and the
cost grows much faster than the number of regions (the all-Fraction engine took about 6 s
for 1 000 regions on the benchmark machine). What the engine needs, though, is only

* ``round_half_up(a_i) = floor(a_i + 1/2)`` for every region, and
* the order of the exact amounts among the few regions that get a residual krona.

Both are decided here with Python integers, exactly, without ever computing ``S``:

1. Fixed point with ``k`` bits: ``W_j = floor(p_j * 2**k / q_j)``. Then
   ``L = sum(W_j) <= S * 2**k <= L + n = U``: an interval for ``S`` of relative width about
   ``n / L``. ``k`` is chosen so that this uncertainty moves no amount by more than a few
   units of ``2**-64`` kr.
2. With ``f`` fraction bits, ``x_i = 2 * a_i * 2**f`` lies in ``[t_i, t_i + slack]`` where
   ``t_i = floor(c_lo * p_i / q_i)``, ``c_lo = floor(2B * 2**(f+k) / U)`` and ``slack`` bounds
   what the upper end ``c_hi = ceil(2B * 2**(f+k) / L)`` can add (see :func:`half_up_shares`).
3. ``floor(a_i + 1/2) = floor((x_i + 2**f) / 2**(f+1))``. If that is the same at both ends
   of the interval, it is the exact rounded value: a proof, not an estimate. Otherwise (an
   exact amount at, or within about ``2**-60`` kr of, a half krona; exact ``.5`` cases do
   happen with equal rates) the exact sum ``S``, computed once and only then, decides that
   region with integers.
4. ``W_i`` is an exact order key for ``w_i`` when ``2**k >= max(q)**2``: two different
   fractions ``p/q`` differ by at least ``1 / (q_i * q_j)``, so their ``W`` differ by at
   least one, and equal fractions get equal ``W``. Within a block whose amounts are
   proportional to ``w`` (block 1) the residual order "largest exact amount first, ties by
   name" is therefore ``(-W_i, name_i)``. Where amounts are step plus share (block 2), the
   bounds ``t_i`` rank all regions but those whose intervals overlap at the cut, and
   :func:`top_indices` sorts just those by their exact amount.

Every integer here has a few hundred bits at most; per region it costs a shift, a
multiplication and a division by the population (a one-digit Python int below 2**30, for
which CPython divides fastest).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

FRACTION_BITS = 64  # f: bits below the krona's half in the scaled amounts
GUARD_BITS = 64  # extra bits in k beyond what makes the interval for S narrower than a krona


def ratio_sum(posts: Sequence[int], pops: Sequence[int]) -> Fraction:
    """The exact ``sum(p / q)``: grouped by population, then summed pairwise (a balanced
    tree keeps the operands of similar size, which is far cheaper than a running sum)."""
    grouped: dict[int, int] = {}
    for p, q in zip(posts, pops, strict=True):
        if p:
            grouped[q] = grouped.get(q, 0) + p
    terms = [Fraction(p, q) for q, p in grouped.items()]
    if not terms:
        return Fraction(0)
    while len(terms) > 1:
        paired = [a + b for a, b in zip(terms[::2], terms[1::2], strict=False)]
        if len(terms) % 2:
            paired.append(terms[-1])
        terms = paired
    return terms[0]


def round_half_up(value: Fraction) -> int:
    """Round to the nearest integer, halves upwards (towards +infinity)."""
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


@dataclass(frozen=True)
class Shares:
    """A budget split in proportion to ``p_i / q_i``, rounded half up, each value proven.

    ``low <= S * 2**bits <= high`` bound the sum ``S`` of all ``p_i / q_i``;
    ``weights[i]`` is an exact order key of ``p_i / q_i`` (step 4 above); the true
    ``2 * share_i * 2**FRACTION_BITS`` lies in ``[scaled[i], scaled[i] + slack]``;
    ``rounded[i]`` is exactly ``round_half_up(share_i)``; ``undecided`` lists the indices
    that needed the exact computation.
    """

    bits: int  # k
    low: int  # L <= S * 2**k <= U
    high: int  # U
    weights: list[int]
    scaled: list[int]
    slack: int
    rounded: list[int]
    undecided: list[int]


def half_up_shares(
    budget: int,
    posts: Sequence[int],
    pops: Sequence[int],
    exact_total: Callable[[], Fraction],
) -> Shares:
    """Split ``budget`` (> 0) in proportion to ``posts[i] / pops[i]`` (some post > 0, every
    population > 0) and round each share half up, exactly.

    ``exact_total()`` must return the exact ``sum(posts[i] / pops[i])`` (see
    :func:`ratio_sum`; the caller caches it); it is called only if the integer bounds leave
    some index undecided, which then is rounded with that exact sum, in integers.
    """
    n = len(posts)
    p_max, q_max, q_min = max(posts), max(pops), min(pops)
    # 2**k >= q_max**2 makes the weights an exact order key; the other terms make the
    # interval for S (relative width n / L, with L >= 2**k / q_max) negligible against
    # the budget's krona: see the slack below.
    k = 2 * q_max.bit_length() + budget.bit_length() + n.bit_length()
    k += p_max.bit_length() + GUARD_BITS
    weights = [(p << k) // q for p, q in zip(posts, pops, strict=True)]
    low = sum(weights)
    high = low + n  # each floor lost less than one unit
    top = (2 * budget) << (FRACTION_BITS + k)
    c_lo = top // high
    c_hi = -(-top // low)
    # x_i <= c_hi * p_i / q_i <= t_i + 1 + (c_hi - c_lo) * p_max / q_min
    slack = 1 + -(-(c_hi - c_lo) * p_max // q_min)
    scaled = [(c_lo * p) // q for p, q in zip(posts, pops, strict=True)]
    half = 1 << FRACTION_BITS
    mask = (half << 1) - 1
    limit = mask - slack
    shift = FRACTION_BITS + 1
    rounded = [(x + half) >> shift for x in scaled]
    # Decided iff (x + half) // 2**shift is the same for x = t and x = t + slack.
    undecided = [i for i, x in enumerate(scaled) if (x + half) & mask > limit]
    if undecided:
        total = exact_total()
        num, den = total.numerator, total.denominator
        for i in undecided:
            # share = budget * (p / q) / (num / den); floor(share + 1/2) in integers.
            p, q = posts[i], pops[i]
            rounded[i] = (2 * budget * p * den + q * num) // (2 * q * num)
    return Shares(k, low, high, weights, scaled, slack, rounded, undecided)


def top_indices(
    m: int,
    candidates: list[int],
    key: Sequence[int],
    slack: int,
    order_window: Callable[[list[int]], list[int]],
) -> list[int]:
    """The first ``m`` candidates in the exact order (largest exact amount first, ties by
    name), given integer bounds: the true scaled amount of candidate ``i`` lies in
    ``[key[i], key[i] + slack]``. ``order_window`` must return the candidates it is given in
    the exact order; with ``slack`` 0 (``key`` exact) they all have equal amounts, so
    sorting them by name is enough.

    Let ``t`` be the ``m``-th largest ``key``. A candidate with ``key > t + slack`` is above
    every candidate with ``key <= t`` (at least ``n - m + 1`` of them), so it is in; one with
    ``key < t - slack`` is below every candidate with ``key >= t`` (at least ``m``), so it is
    out. Only the rest, the window around ``t``, is put in the exact order.
    """
    if m <= 0:
        return []
    if m >= len(candidates):
        return list(candidates)
    keys = map(key.__getitem__, candidates)
    if m * 8 < len(candidates):
        cut = heapq.nlargest(m, keys)[-1]
    else:
        cut = sorted(keys, reverse=True)[m - 1]
    above, below = cut + slack, cut - slack
    sure = [i for i in candidates if key[i] > above]
    window = [i for i in candidates if below <= key[i] <= above]
    return sure + order_window(window)[: m - len(sure)]


def apportion(
    total: int, exact: Sequence[Fraction], names: Sequence[str]
) -> tuple[list[int], list[int]]:
    """Round ``exact`` to whole kronor that sum to ``total`` (the general, slow path; the
    engines use it only where their one-pass correction cannot apply).

    Each amount is rounded half up; the residual is given (+1) or taken (-1) one krona at a
    time, largest exact amount first, ties by name, at most one krona per region per pass,
    only among positive exact amounts and never below 0. Returns amounts and adjustments.
    """
    rounded = [round_half_up(x) for x in exact]
    adjust = [0] * len(rounded)
    residual = total - sum(rounded)
    if residual == 0:
        return rounded, adjust
    order = sorted((i for i, x in enumerate(exact) if x > 0), key=lambda i: (-exact[i], names[i]))
    delta = 1 if residual > 0 else -1
    remaining = abs(residual)
    while remaining:
        touched = 0
        for i in order:
            if remaining == 0:
                break
            if delta < 0 and rounded[i] + adjust[i] == 0:
                continue
            adjust[i] += delta
            remaining -= 1
            touched += 1
        if not touched:
            raise ValueError(f"cannot apportion {total} among amounts {list(exact)!r}")
    return [r + a for r, a in zip(rounded, adjust, strict=True)], adjust
