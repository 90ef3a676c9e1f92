"""One block's rounding (RULES.md "Rounding", DOMAIN.md): exact amounts to whole kronor.

A region's exact amount in a block is ``base_i + R * w_i / S``: ``base_i`` is its ``amount``
(times the block's scale, if the amounts were scaled), the second part its proportional share
of ``R`` (the budget of a ``share`` block, or an amount block's remainder) by the weight
``w_i`` (``S`` the sum of the weights). Either part may be absent. Every proportional share
goes through ``allocation.exact.half_up_shares`` on the weights' integer ratios ``p_i / q_i``,
which proves each share's half-up rounding with integers and never sums ``Fraction``s unless
a share lies within about 2**-60 kr of a half krona; the exact ``S`` is otherwise computed
only when an exact figure is read.

Then, as DOMAIN.md says: each exact amount is rounded half up; the block's target is its exact
total rounded half up; the kronor by which the rounded amounts miss the target are added (or
taken) one at a time, largest exact amount first, ties by region name in plain ``str`` order,
only among regions with a positive exact amount and never below 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from functools import cmp_to_key

from allocation.allocmodel.expr import Ratios, all_ints, exact_sum
from allocation.exact import (
    FRACTION_BITS,
    apportion,
    half_up_shares,
    ratio_sum,
    round_half_up,
    top_indices,
)

Number = int | Fraction
_SHIFT = FRACTION_BITS + 1  # keys are 2 * amount * 2**FRACTION_BITS


class BlockRounding:
    """The rounded amounts of one block's participating regions (local order).

    ``base``: each region's amount before scaling (None for a share block); ``scale``: the
    factor on the amounts (1 unless scaled); ``share``: ``(R, weights)`` or None. ``target``
    is the exact total rounded half up. After construction ``amounts`` and ``adjust``
    (kronor added or taken after half-up rounding) are set.
    """

    def __init__(
        self,
        names: Sequence[str],
        *,
        base: Sequence[Number] | None = None,
        scale: Fraction = Fraction(1),
        share: tuple[Number, Sequence[Number]] | None = None,
    ) -> None:
        self.names = names
        self.base = base
        self.scale = scale
        self.budget = share[0] if share else 0
        self.p: list[int] = []
        self.q: list[int] = []
        if share and type(share[1]) is Ratios:
            self.p, self.q = share[1].nums, share[1].dens  # whole numbers, q > 0
        elif share:
            ratios = [w.as_integer_ratio() for w in share[1]]
            self.p = [r[0] for r in ratios]
            self.q = [r[1] for r in ratios]
        common = math.gcd(*self.p)
        if common > 1:
            # The same proportions in smaller integers (a rate's factor 100 000).
            self.p = [p // common for p in self.p]
        self._total: Fraction | None = None
        self._round()

    # --- exact figures (computed when read) ---------------------------------------------

    def weight_total(self) -> Fraction:
        """The exact sum of the weights (cached)."""
        if self._total is None:
            self._total = ratio_sum(self.p, self.q)
        return self._total

    def base_exact(self, j: int) -> Fraction:
        if self.base is None:
            return Fraction(0)
        return Fraction(self.base[j]) * self.scale

    def share_exact(self, j: int) -> Fraction:
        if not self.budget or not self.p[j]:
            return Fraction(0)
        return self.budget * Fraction(self.p[j], self.q[j]) / self.weight_total()

    def exact(self, j: int) -> Fraction:
        return self.base_exact(j) + self.share_exact(j)

    # --- rounding -----------------------------------------------------------------------

    def _round(self) -> None:
        n = len(self.names)
        if self.budget and type(self.budget) is not int:
            self._exactly()
        elif self.budget:
            shares = half_up_shares(self.budget, self.p, self.q, self.weight_total)
            if self.base is None:
                self._proportional(shares)
            else:
                self._base_and_share(shares)
        elif self.base is not None:
            self._base_only()
        else:
            self.target, self.amounts, self.adjust = 0, [0] * n, [0] * n

    def _exactly(self) -> None:
        """The slow path, all Fractions: a remainder that is not whole kronor (fractional
        amounts below the budget), which the integer bounds do not cover."""
        exact = [self.exact(j) for j in range(len(self.names))]
        base_total = Fraction(_sum(self.base)) * self.scale if self.base is not None else 0
        self.target = round_half_up(base_total + self.budget)  # the shares add up to R
        self.amounts, self.adjust = apportion(self.target, exact, self.names)

    def _proportional(self, shares: object) -> None:
        keys = shares.weights  # type: ignore[attr-defined]
        positive = [j for j, p in enumerate(self.p) if p]
        self.target = self.budget
        names = self.names

        def by_name(window: list[int]) -> list[int]:
            return sorted(window, key=names.__getitem__)

        # Amounts are proportional to the weights, whose keys order them exactly.
        self._distribute(
            shares.rounded,  # type: ignore[attr-defined]
            positive,
            lambda count, candidates: top_indices(count, candidates, keys, 0, by_name),
        )

    def _base_only(self) -> None:
        base, scale, names = self.base, self.scale, self.names
        assert base is not None
        total = _sum(base)
        if scale == 1:
            self.target = round_half_up(Fraction(total))
            rounded = [a if type(a) is int else round_half_up(a) for a in base]
        else:
            self.target = round_half_up(total * scale)
            sn, sd = scale.numerator, scale.denominator
            if all_ints(base):
                # floor(a * sn / sd + 1/2) in integers.
                twice_n, twice_d = 2 * sn, 2 * sd
                rounded = [(a * twice_n + sd) // twice_d for a in base]
            else:
                rounded = []
                for a in base:
                    n, d = a.as_integer_ratio()
                    rounded.append((2 * n * sn + d * sd) // (2 * d * sd))
        positive = [j for j, a in enumerate(base) if a > 0] if scale else []
        if all_ints(base):
            keys, slack = list(base), 0
        else:
            keys = [(a.numerator << _SHIFT) // a.denominator for a in map(Fraction, base)]
            slack = 1

        def exactly(window: list[int]) -> list[int]:
            # The amounts are the bases times one factor: their order is the bases'. With
            # whole bases (slack 0) the window's keys, so its amounts, are all equal.
            if not slack:
                return sorted(window, key=names.__getitem__)
            return sorted(window, key=lambda j: (-base[j], names[j]))

        self._distribute(
            rounded,
            positive,
            lambda count, candidates: top_indices(count, candidates, keys, slack, exactly),
        )

    def _base_and_share(self, shares: object) -> None:
        base = self.base
        assert base is not None
        scaled, slack = shares.scaled, shares.slack  # type: ignore[attr-defined]
        self.target = self.budget + round_half_up(Fraction(_sum(base)))  # the budget is whole
        half = 1 << FRACTION_BITS
        if all_ints(base):
            rounded = [a + r for a, r in zip(base, shares.rounded, strict=True)]  # type: ignore[attr-defined]
            keys = [(a << _SHIFT) + x for a, x in zip(base, scaled, strict=True)]
        else:
            slack += 1  # the floor of the base's fixed point
            keys = [
                ((f.numerator << _SHIFT) // f.denominator) + x
                for f, x in zip(map(Fraction, base), scaled, strict=True)
            ]
            rounded = []
            for j, key in enumerate(keys):
                low, high = (key + half) >> _SHIFT, (key + slack + half) >> _SHIFT
                rounded.append(low if low == high else round_half_up(self.exact(j)))
        positive = [j for j, a in enumerate(base) if a > 0 or self.p[j]]
        order = _Order(self, shares)
        self._distribute(
            rounded,
            positive,
            lambda count, candidates: top_indices(count, candidates, keys, slack, order.sort),
        )

    def _distribute(
        self,
        rounded: list[int],
        positive: list[int],
        choose: Callable[[int, list[int]], list[int]],
    ) -> None:
        """The residual kronor, one pass: a half-up rounding moves an amount by at most half
        a krona, so the residual is at most about half the candidates; the general
        :func:`apportion` is kept for a case that should not happen."""
        n = len(rounded)
        adjust = [0] * n
        residual = self.target - sum(rounded)
        if residual == 0:
            self.amounts, self.adjust = rounded, adjust
            return
        delta = 1 if residual > 0 else -1
        candidates = positive if delta > 0 else [j for j in positive if rounded[j]]
        if abs(residual) > len(candidates):
            exact = [self.exact(j) for j in range(n)]
            self.amounts, self.adjust = apportion(self.target, exact, self.names)
            return
        amounts = rounded[:]
        for j in choose(abs(residual), candidates):
            adjust[j] = delta
            amounts[j] += delta
        self.amounts, self.adjust = amounts, adjust


class _Order:
    """The exact order of ``base_j + R * w_j / S`` (larger first, then name) for a window.

    Regions with the same base and weight have the same amount, so the classes are sorted
    (the sign of a difference is decided from the integer bounds of ``S`` where it can be,
    else with the exact ``S``) and each class of equal amounts by name.
    """

    def __init__(self, rounding: BlockRounding, shares: object) -> None:
        self.r = rounding
        self.weights = shares.weights  # type: ignore[attr-defined]
        self.bits = shares.bits  # type: ignore[attr-defined]
        self.low = shares.low  # type: ignore[attr-defined]
        self.high = shares.high  # type: ignore[attr-defined]

    def sort(self, window: list[int]) -> list[int]:
        base, names = self.r.base, self.r.names
        assert base is not None
        classes: dict[tuple[Number, int], list[int]] = {}
        for j in window:
            classes.setdefault((base[j], self.weights[j]), []).append(j)
        firsts = sorted((members[0] for members in classes.values()), key=cmp_to_key(self.compare))
        ordered: list[int] = []
        tied: list[int] = []
        for position, first in enumerate(firsts):
            if position and self.sign(firsts[position - 1], first) != 0:
                ordered.extend(sorted(tied, key=names.__getitem__))
                tied = []
            tied.extend(classes[(base[first], self.weights[first])])
        ordered.extend(sorted(tied, key=names.__getitem__))
        return ordered

    def compare(self, i: int, j: int) -> int:
        sign = self.sign(i, j)
        if sign:
            return -sign
        names = self.r.names
        return (names[i] > names[j]) - (names[i] < names[j])

    def sign(self, i: int, j: int) -> int:
        """The sign of amount_i - amount_j: d + e / S, monotonic in S > 0."""
        r = self.r
        assert r.base is not None
        d = Fraction(r.base[i]) - Fraction(r.base[j])
        e = r.budget * (Fraction(r.p[i], r.q[i]) - Fraction(r.p[j], r.q[j]))
        if e == 0:
            return (d > 0) - (d < 0)
        scale = 1 << self.bits  # low <= S * scale <= high
        ends = [d + e * scale / bound for bound in (self.low, self.high)]
        if (ends[0] > 0 and ends[1] > 0) or (ends[0] < 0 and ends[1] < 0):
            return 1 if ends[0] > 0 else -1
        exact = d + e / r.weight_total()
        return (exact > 0) - (exact < 0)


def _sum(values: Sequence[Number]) -> Number:
    return exact_sum(values)
