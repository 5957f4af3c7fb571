"""A seeded, census-like stand-in for the Adult data, with a planted subgroup gap.

Same columns, value sets and dtypes as the real Adult frame. Income follows one logistic rule for
everyone except the planted group (women aged 40+ who are self-employed), whose income follows a
different, learnable rule; a small decision tree trained on everyone gets that group badly wrong,
and a model trained on the group fixes it. ``PLANTED_GROUP`` is that group as group-tree JSON.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bounty.demo.columns import normalise

DEFAULT_ROWS = 48_842
SELF_EMPLOYED = ["Self-emp-inc", "Self-emp-not-inc"]
PLANTED_GROUP: dict[str, Any] = {
    "op": "and",
    "args": [
        {"col": "sex", "op": "in", "values": ["Female"]},
        {"col": "age", "op": ">=", "value": 40},
        {"col": "workclass", "op": "in", "values": SELF_EMPLOYED},
    ],
}

EDUCATION = {  # name: (education_num, share)
    "Preschool": (1, 0.002),
    "1st-4th": (2, 0.005),
    "5th-6th": (3, 0.010),
    "7th-8th": (4, 0.020),
    "9th": (5, 0.015),
    "10th": (6, 0.028),
    "11th": (7, 0.037),
    "12th": (8, 0.013),
    "HS-grad": (9, 0.323),
    "Some-college": (10, 0.223),
    "Assoc-voc": (11, 0.042),
    "Assoc-acdm": (12, 0.033),
    "Bachelors": (13, 0.164),
    "Masters": (14, 0.054),
    "Prof-school": (15, 0.017),
    "Doctorate": (16, 0.012),
}
WORKCLASS = {
    "Private": 0.69,
    "Self-emp-not-inc": 0.079,
    "Local-gov": 0.064,
    "State-gov": 0.040,
    "Self-emp-inc": 0.035,
    "Federal-gov": 0.029,
    "Without-pay": 0.0005,
    "Never-worked": 0.0003,
    "?": 0.057,
}
OCCUPATION = {
    "Prof-specialty": 0.126,
    "Craft-repair": 0.125,
    "Exec-managerial": 0.125,
    "Adm-clerical": 0.115,
    "Sales": 0.113,
    "Other-service": 0.101,
    "Machine-op-inspct": 0.062,
    "Transport-moving": 0.048,
    "Handlers-cleaners": 0.042,
    "Farming-fishing": 0.030,
    "Tech-support": 0.030,
    "Protective-serv": 0.020,
    "Priv-house-serv": 0.005,
    "Armed-Forces": 0.0003,
}
RACE = {
    "White": 0.855,
    "Black": 0.096,
    "Asian-Pac-Islander": 0.031,
    "Amer-Indian-Eskimo": 0.010,
    "Other": 0.008,
}
COUNTRY = {
    "United-States": 0.897,
    "Mexico": 0.019,
    "?": 0.0175,
    "Philippines": 0.006,
    "Germany": 0.004,
    "Canada": 0.0037,
    "Puerto-Rico": 0.0035,
    "India": 0.003,
    "El-Salvador": 0.003,
    "Cuba": 0.003,
    "England": 0.0026,
    "China": 0.0025,
    "South": 0.0024,
    "Jamaica": 0.0022,
    "Italy": 0.0022,
    "Dominican-Republic": 0.0021,
    "Japan": 0.0019,
    "Vietnam": 0.0018,
    "Guatemala": 0.0018,
    "Poland": 0.0018,
    "Columbia": 0.0017,
}
MARITAL = [
    "Married-civ-spouse",
    "Never-married",
    "Divorced",
    "Separated",
    "Widowed",
    "Married-spouse-absent",
    "Married-AF-spouse",
]
MARITAL_BY_AGE = np.array(  # rows: under 25, 25-39, 40-59, 60+
    [
        [0.10, 0.85, 0.02, 0.01, 0.00, 0.015, 0.005],
        [0.50, 0.30, 0.13, 0.04, 0.01, 0.019, 0.001],
        [0.62, 0.08, 0.20, 0.035, 0.045, 0.019, 0.001],
        [0.58, 0.05, 0.13, 0.02, 0.20, 0.019, 0.001],
    ]
)


def synthetic_frame(n: int = DEFAULT_ROWS, seed: int = 0) -> pd.DataFrame:
    """``n`` census-like rows, identical for the same ``seed``."""
    rng = np.random.default_rng(seed)
    age = np.clip(np.round(17 + rng.gamma(2.5, 8.0, n)), 17, 90).astype(np.int64)
    sex = np.where(rng.random(n) < 0.67, "Male", "Female")
    race = _draw(rng, RACE, n)
    country = _draw(rng, COUNTRY, n)
    education = _draw(rng, {k: v[1] for k, v in EDUCATION.items()}, n)
    education_num = np.array([EDUCATION[e][0] for e in education], dtype=np.int64)
    workclass = _workclass(rng, age)
    marital = _marital(rng, age)
    relationship = _relationship(rng, marital, sex, age)
    occupation = _occupation(rng, education_num, workclass)
    hours = np.clip(np.round(rng.normal(40, 11, n)), 1, 99).astype(np.int64)
    hours[rng.random(n) < 0.45] = 40
    gain, loss = _capital(rng, n)
    fnlwgt = np.clip(rng.lognormal(np.log(178_000), 0.5, n), 12_285, 1_490_400).astype(np.int64)
    frame = pd.DataFrame(
        {
            "age": age,
            "workclass": workclass,
            "fnlwgt": fnlwgt,
            "education": education,
            "education_num": education_num,
            "marital_status": marital,
            "occupation": occupation,
            "relationship": relationship,
            "race": race,
            "sex": sex,
            "capital_gain": gain,
            "capital_loss": loss,
            "hours_per_week": hours,
            "native_country": country,
        }
    )
    frame["income"] = np.where(rng.random(n) < _income_probability(frame), ">50K", "<=50K")
    for name in ("workclass", "occupation", "native_country"):
        frame[name] = frame[name].where(frame[name] != "?")
    return normalise(frame)


def planted_mask(frame: pd.DataFrame) -> pd.Series:
    """Rows of ``frame`` in the planted group (the same rows ``PLANTED_GROUP`` selects)."""
    return (frame["sex"] == "Female") & (frame["age"] >= 40) & frame["workclass"].isin(SELF_EMPLOYED)


def _draw(rng: np.random.Generator, shares: dict[str, float], n: int) -> np.ndarray:
    weights = np.array(list(shares.values()))
    return rng.choice(np.array(list(shares)), size=n, p=weights / weights.sum())


def _draw_rows(rng: np.random.Generator, labels: list[str], probs: np.ndarray) -> np.ndarray:
    """One label per row of ``probs`` (rows need not be normalised)."""
    cumulative = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    picks = (rng.random((len(probs), 1)) > cumulative).sum(axis=1)
    return np.array(labels)[np.minimum(picks, len(labels) - 1)]


def _workclass(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    labels = list(WORKCLASS)
    probs = np.tile(np.array(list(WORKCLASS.values())), (len(age), 1))
    boost = np.where(age >= 40, 2.5, 1.0)  # self-employment grows with age
    for name in SELF_EMPLOYED:
        probs[:, labels.index(name)] *= boost
    return _draw_rows(rng, labels, probs)


def _marital(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    band = np.digitize(age, [25, 40, 60])
    return _draw_rows(rng, MARITAL, MARITAL_BY_AGE[band])


def _relationship(
    rng: np.random.Generator, marital: np.ndarray, sex: np.ndarray, age: np.ndarray
) -> np.ndarray:
    labels = ["Husband", "Wife", "Own-child", "Not-in-family", "Unmarried", "Other-relative"]
    married = np.isin(marital, ["Married-civ-spouse", "Married-AF-spouse"])
    male = sex == "Male"
    young = age < 25
    probs = np.zeros((len(age), len(labels)))
    probs[married & male] = [0.98, 0, 0, 0, 0, 0.02]
    probs[married & ~male] = [0, 0.97, 0, 0, 0, 0.03]
    probs[~married & young] = [0, 0, 0.6, 0.3, 0.03, 0.07]
    probs[~married & ~young & male] = [0, 0, 0.07, 0.7, 0.15, 0.08]
    probs[~married & ~young & ~male] = [0, 0, 0.07, 0.45, 0.4, 0.08]
    return _draw_rows(rng, labels, probs)


def _occupation(rng: np.random.Generator, education_num: np.ndarray, workclass: np.ndarray) -> np.ndarray:
    labels = list(OCCUPATION)
    probs = np.tile(np.array(list(OCCUPATION.values())), (len(workclass), 1))
    schooled = education_num >= 13
    for name in ("Prof-specialty", "Exec-managerial"):
        probs[schooled, labels.index(name)] *= 4.0
    out = _draw_rows(rng, labels, probs)
    return np.where(np.isin(workclass, ["?", "Never-worked"]), "?", out)


def _capital(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    kind = rng.random(n)
    gain = np.where(kind < 0.08, np.clip(rng.lognormal(8.5, 1.0, n), 100, 99_999), 0)
    loss = np.where((kind >= 0.08) & (kind < 0.127), np.clip(rng.normal(1900, 400, n), 150, 4356), 0)
    return gain.astype(np.int64), loss.astype(np.int64)


def _income_probability(frame: pd.DataFrame) -> np.ndarray:
    age = frame["age"].to_numpy(dtype=float)
    edu = frame["education_num"].to_numpy(dtype=float)
    hours = frame["hours_per_week"].to_numpy(dtype=float)
    married = frame["relationship"].isin(["Husband", "Wife"]).to_numpy()
    skilled = frame["occupation"].isin(["Exec-managerial", "Prof-specialty", "Tech-support"])
    z = (
        -4.1
        + 0.7 * (edu - 10)
        + 3.2 * married
        - 0.004 * (age - 50) ** 2
        + 0.05 * (hours - 40)
        + 1.3 * married * (hours > 45)
        + 1.2 * skilled.to_numpy()
        + 5.0 * (frame["capital_gain"].to_numpy() > 5000)
        + 1.8 * (frame["capital_loss"].to_numpy() > 1800)
        + 0.4 * (frame["sex"] == "Male").to_numpy()
    )
    # The planted group: income tracks hours worked and schooling, not marriage.
    planted = planted_mask(frame).to_numpy()
    z_planted = 1.2 + 1.0 * (edu - 10) + 0.15 * (hours - 40)
    return 1.0 / (1.0 + np.exp(-np.where(planted, z_planted, z)))
