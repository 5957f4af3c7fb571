"""Pre-flight: what a holdout of n rows detects, and how many lucky accepts a submission budget buys.

The check (``scoring.check``) accepts iff ``mu >= mu_min`` and ``gain - z * se >= alpha``, with ``gain``
the mean of the per-row gains ``d_i = mask_i * (loss_f,i - loss_h,i)`` over the n holdout rows. With
``sigma = sd(d_i)`` and the normal approximation ``gain ~ N(true gain, sigma^2 / n)`` (independent rows,
``se ~ sigma / sqrt(n)``): ``P(accept) = Phi((D - alpha) sqrt(n) / sigma - z)`` for a true gain D, the
gain accepted 8 times in 10 is ``D80 = alpha + (z + Phi^-1(0.8)) sigma / sqrt(n)``, and K no-signal
submissions get about ``K (1 - Phi(z + alpha sqrt(n) / sigma_noise))`` lucky accepts. For a group of
mass m, ``sigma_m = sqrt(m * s2)`` with ``s2 = E[(loss_f - loss_h)^2 | g]``, which ``gain_spread``
estimates from the train split. The method and its simulation: ``docs/preflight.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm

from scoring.spread import Spread, fallback_spread, gain_spread

__all__ = ["Report", "Spread", "assess", "fallback_spread", "gain_spread"]

POWER = 0.8
TARGET = 0.05  # expected lucky accepts over the whole budget
NOISE_SD = 1.0  # a no-signal pair's per-row gain spread: losses lie in [0, 1], so |d_i| <= 1
MASSES = (0.02, 0.04, 0.1)


def accept_chance(gain: float, n: int, alpha: float, z: float, sigma: float) -> float:
    """P(accept) for a pair of true ``gain`` whose per-row gains have standard deviation ``sigma``."""
    if sigma <= 0:
        return float(gain >= alpha)
    return float(norm.cdf((gain - alpha) * math.sqrt(n) / sigma - z))


def detectable_gain(n: int, alpha: float, z: float, sigma: float, power: float = POWER) -> float:
    """The true gain accepted with probability ``power``: ``alpha + (z + Phi^-1(power)) sigma / sqrt(n)``."""
    return alpha + (z + float(norm.ppf(power))) * sigma / math.sqrt(n)


def false_accept_chance(n: int, alpha: float, z: float, noise_sd: float = NOISE_SD) -> float:
    """P(accept) for one pair with no real gain: ``1 - Phi(z + alpha sqrt(n) / noise_sd)``."""
    return float(norm.sf(z + alpha * math.sqrt(n) / noise_sd))


def expected_false_accepts(budget: int, n: int, alpha: float, z: float, noise_sd: float = NOISE_SD) -> float:
    """About how many of ``budget`` no-signal submissions get accepted: ``K * false_accept_chance``."""
    return budget * false_accept_chance(n, alpha, z, noise_sd)


def required_z(
    n: int, alpha: float, budget: int, noise_sd: float = NOISE_SD, target: float = TARGET
) -> float:
    """The smallest z keeping ``expected_false_accepts <= target``."""
    return max(0.0, float(norm.isf(target / budget)) - alpha * math.sqrt(n) / noise_sd)


def required_rows(
    alpha: float, z: float, budget: int, noise_sd: float = NOISE_SD, target: float = TARGET
) -> int:
    """The smallest holdout keeping ``expected_false_accepts <= target`` at this alpha and z."""
    need = float(norm.isf(target / budget)) - z
    return 0 if need <= 0 else math.ceil((need * noise_sd / alpha) ** 2)


# -- the report ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Detectable:
    """The smallest true gain accepted with probability ``power`` for a group of ``mass``."""

    mass: float
    sigma: float  # per-row standard deviation of the gains on the whole holdout
    gain: float  # D80: a fall of the overall loss
    group_loss_drop: float  # the same as a fall of the group's own mean loss: gain / mass


@dataclass(frozen=True)
class Settings:
    alpha: float
    mu_min: float
    z: float
    expected_false_accepts: float
    detectable: tuple[Detectable, ...]


@dataclass(frozen=True)
class Explanations:
    """Plain words for the organizer, one sentence or two per item."""

    alpha: str
    mu_min: str
    z: str
    false_accepts: str
    power: str
    suggestion: str


@dataclass(frozen=True)
class Report:
    holdout_rows: int
    alpha: float
    mu_min: float
    z: float
    budget: int  # K = teams x total quota
    spread: Spread
    noise_sd: float
    power: float
    target: float
    detectable: tuple[Detectable, ...]  # at mu_min, 0.02, 0.04 and 0.1 (those >= mu_min)
    false_accept_chance: float  # of one no-signal submission
    expected_false_accepts: float
    suggested: Settings
    explain: Explanations

    @property
    def enough(self) -> bool:
        return self.expected_false_accepts <= self.target


def settings_for(
    n: int, alpha: float, mu_min: float, z: float, budget: int, spread: Spread, noise_sd: float, power: float
) -> Settings:
    found = []
    for m in (mu_min, *(m for m in MASSES if m > mu_min)):
        gain = detectable_gain(n, alpha, z, spread.sigma(m), power)
        found.append(Detectable(m, spread.sigma(m), gain, gain / m))
    return Settings(alpha, mu_min, z, expected_false_accepts(budget, n, alpha, z, noise_sd), tuple(found))


def suggest(
    n: int,
    mu_min: float,
    budget: int,
    spread: Spread,
    *,
    alpha: float,
    noise_sd: float = NOISE_SD,
    target: float = TARGET,
    power: float = POWER,
) -> Settings:
    """Settings keeping the expected lucky accepts at most ``target`` with the smallest D80.

    At ``z = required_z(alpha)``, ``D80(m) = alpha * (1 - sigma_m / noise_sd) + const`` grows with alpha
    whenever ``sigma_m < noise_sd``: the margin is best spent on z, which scales with each pair's own
    noise. So alpha is lowered to one standard error of a smallest group's gain (finer steps measure
    only noise), never raised above the organizer's; z is then the smallest that meets the target."""
    floor = max(spread.sigma(mu_min) / math.sqrt(n), 1.0 / n)
    low = min(alpha, _round_up(floor))
    z = math.ceil(required_z(n, low, budget, noise_sd, target) * 100 - 1e-9) / 100
    return settings_for(n, low, mu_min, z, budget, spread, noise_sd, power)


def _round_up(x: float) -> float:
    """Up to one significant digit: 0.00037 -> 0.0004."""
    scale = 10.0 ** math.floor(math.log10(x))
    return float(f"{math.ceil(x / scale - 1e-9) * scale:.2g}")


def assess(
    *,
    holdout_rows: int,
    alpha: float,
    mu_min: float,
    z: float,
    budget: int,
    spread: Spread | None = None,
    noise_sd: float = NOISE_SD,
    target: float = TARGET,
    power: float = POWER,
) -> Report:
    """The pre-flight report for a competition's rules. ``spread`` comes from ``gain_spread`` (or
    ``fallback_spread``); without one the loss bound ``s2 = 1`` is used, which is very cautious."""
    ok = holdout_rows >= 2 and alpha > 0 and 0 < mu_min <= 1 and z >= 0 and budget >= 1
    if not (ok and 0 < target < budget and 0 < power < 1 and noise_sd > 0):
        raise ValueError("need n >= 2, alpha > 0, 0 < mu_min <= 1, z >= 0, budget >= 1, 0 < target < budget")
    n, spread = holdout_rows, spread or fallback_spread()
    now = settings_for(n, alpha, mu_min, z, budget, spread, noise_sd, power)
    best = suggest(n, mu_min, budget, spread, alpha=alpha, noise_sd=noise_sd, target=target, power=power)
    return Report(
        holdout_rows=n,
        alpha=alpha,
        mu_min=mu_min,
        z=z,
        budget=budget,
        spread=spread,
        noise_sd=noise_sd,
        power=power,
        target=target,
        detectable=now.detectable,
        false_accept_chance=false_accept_chance(n, alpha, z, noise_sd),
        expected_false_accepts=now.expected_false_accepts,
        suggested=best,
        explain=explain(n, budget, now, best, target, power),
    )


def explain(n: int, budget: int, now: Settings, best: Settings, target: float, power: float) -> Explanations:
    """The organizer's words for ``now`` (the chosen settings) and ``best`` (the suggested ones)."""
    lucky, odds = now.expected_false_accepts, f"{round(power * 10)} times in 10"
    about = f"with {budget:,} submissions about {_amount(lucky)} lucky accepts are expected"
    if now.z == 0:
        z_text = (
            "z = 0: no margin for noise. A pair is accepted as soon as its measured gain reaches alpha, "
            f"however noisy the measurement; {about} (updates that gain nothing on new data)."
        )
    else:
        z_text = (
            f"z = {now.z:g}: a pair must beat alpha by {now.z:g} standard errors of its own measured "
            f"gain, a margin for the holdout's noise; {about}."
        )

    def caught(s: Settings) -> str:
        shown = [d for d in s.detectable if d.mass in MASSES[:2]] or list(s.detectable[:1])
        drops = " or ".join(f"{d.group_loss_drop:.3g} (a group of {d.mass:.0%} of the rows)" for d in shown)
        return f"a fix is accepted {odds} when it lowers its group's mean loss by {drops}"

    return Explanations(
        alpha=f"alpha = {now.alpha:g}: the smallest fall of the overall loss an update must show on the "
        f"holdout, on top of the noise margin. Gains are shown rounded down to the published step "
        f"(see publish_k); the list holds at most 1/alpha = {math.floor(1 / now.alpha):,} updates.",
        mu_min=f"mu_min = {now.mu_min:g}: the smallest group allowed, as a share of the rows "
        f"({math.ceil(now.mu_min * n):,} of the {n:,} holdout rows).",
        z=z_text,
        false_accepts=f"Lucky accepts: a participant with no real improvement who spends the whole budget "
        f"({budget:,} submissions = teams x total quota) gets about {_amount(lucky)} updates accepted, "
        f"{'within' if lucky <= target else 'above'} the target of {target:g}.",
        power=f"Detectable fixes: {caught(now)}; smaller fixes are often missed.",
        suggestion=f"Suggested: alpha = {best.alpha:g}, z = {best.z:g}, mu_min = {best.mu_min:g}: about "
        f"{_amount(best.expected_false_accepts)} lucky accepts, and {caught(best)}. An alpha below one "
        "standard error of a smallest group's gain would measure only noise.",
    )


def _amount(x: float) -> str:
    """An expected count in words a reader takes in: 0.05, 3.2, 700 (never 7e+02)."""
    return f"{x:.2g}" if x < 10 else f"{x:,.0f}"
