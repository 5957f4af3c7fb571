"""Small fitted scikit-learn models, one per estimator the safe loader trusts.

Every model is fitted on the same little frame: two numeric columns (one with missing values), one
boolean column (float 0/1) and one pandas categorical column, so the files they save look like the
ones participants upload. ``fitted_zoo()`` is cached: fitting happens once per test session.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn import (
    calibration,
    discriminant_analysis,
    dummy,
    ensemble,
    linear_model,
    naive_bayes,
    neighbors,
    neural_network,
    preprocessing,
    svm,
    tree,
)
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline

NUMERIC = ["age", "income", "member"]
CATEGORICAL = ["region"]
REGIONS = ["north", "south", "east", "west"]
LABELS = ("no", "yes")
MULTI_LABELS = ("high", "low", "mid")


@dataclass(frozen=True)
class ZooModel:
    name: str
    task: str  # "binary", "multiclass" or "regression"
    model: Any
    X: pd.DataFrame
    y: np.ndarray


def make_frame(n: int = 240, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.normal(40, 12, size=n)
    age[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "age": age,
            "income": rng.lognormal(10, 0.5, size=n),
            "member": rng.integers(0, 2, size=n).astype(np.float64),
            "region": pd.Categorical(rng.choice(REGIONS, size=n), categories=REGIONS),
        }
    )


def _score(X: pd.DataFrame) -> np.ndarray:
    age = X["age"].fillna(40).to_numpy()
    south = (X["region"] == "south").to_numpy()
    return (age - 40) / 12 + 0.8 * south - 0.5 * X["member"].to_numpy()


def binary_target(X: pd.DataFrame) -> np.ndarray:
    return np.where(_score(X) > 0.2, LABELS[1], LABELS[0]).astype(object)


def multiclass_target(X: pd.DataFrame) -> np.ndarray:
    s = _score(X)
    return np.where(s > 0.6, "high", np.where(s < -0.4, "low", "mid")).astype(object)


def regression_target(X: pd.DataFrame) -> np.ndarray:
    return np.log(X["income"].to_numpy()) + _score(X)


def preprocessor(scaler: Any = None, encoder: Any = None) -> ColumnTransformer:
    numeric = make_pipeline(SimpleImputer(strategy="median"), scaler or preprocessing.StandardScaler())
    cat = encoder or preprocessing.OneHotEncoder(handle_unknown="ignore")
    return ColumnTransformer([("num", numeric, NUMERIC), ("cat", cat, CATEGORICAL)])


def _pipe(estimator: Any, **pre: Any) -> Pipeline:
    return Pipeline([("pre", preprocessor(**pre)), ("model", estimator)])


def _ordinal() -> Any:
    return preprocessing.OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)


def _hgb_native(cls: Callable[..., Any]) -> Any:
    return cls(max_iter=8, categorical_features="from_dtype", random_state=0)


def _classifiers() -> dict[str, Any]:
    minmax = {"scaler": preprocessing.MinMaxScaler()}
    return {
        "logistic": _pipe(linear_model.LogisticRegression(max_iter=500)),
        "ridge_classifier": _pipe(linear_model.RidgeClassifier()),
        "sgd_classifier": _pipe(linear_model.SGDClassifier(loss="log_loss", random_state=0)),
        "perceptron": _pipe(linear_model.Perceptron(random_state=0)),
        "decision_tree": _pipe(tree.DecisionTreeClassifier(max_depth=4, random_state=0)),
        "extra_tree": _pipe(tree.ExtraTreeClassifier(max_depth=4, random_state=0)),
        "random_forest": _pipe(ensemble.RandomForestClassifier(n_estimators=5, random_state=0)),
        "extra_trees": _pipe(ensemble.ExtraTreesClassifier(n_estimators=5, random_state=0)),
        "gradient_boosting": _pipe(ensemble.GradientBoostingClassifier(n_estimators=5, random_state=0)),
        "hist_gb_native_categorical": _hgb_native(ensemble.HistGradientBoostingClassifier),
        "hist_gb_pipeline": _pipe(
            ensemble.HistGradientBoostingClassifier(max_iter=8, random_state=0), encoder=_ordinal()
        ),
        "adaboost": _pipe(ensemble.AdaBoostClassifier(n_estimators=5, random_state=0)),
        "bagging": _pipe(ensemble.BaggingClassifier(n_estimators=3, random_state=0)),
        "knn_brute": _pipe(neighbors.KNeighborsClassifier(algorithm="brute")),
        "gaussian_nb": _pipe(naive_bayes.GaussianNB()),
        "bernoulli_nb": _pipe(naive_bayes.BernoulliNB()),
        "multinomial_nb": _pipe(naive_bayes.MultinomialNB(), **minmax),
        "complement_nb": _pipe(naive_bayes.ComplementNB(), **minmax),
        "categorical_nb": _pipe(
            naive_bayes.CategoricalNB(min_categories=8),
            scaler=preprocessing.KBinsDiscretizer(n_bins=4, encode="ordinal"),
            encoder=_ordinal(),
        ),
        "svc": _pipe(svm.SVC(probability=True, random_state=0)),
        "nu_svc": _pipe(svm.NuSVC(random_state=0)),
        "linear_svc": _pipe(svm.LinearSVC(random_state=0)),
        "mlp": _pipe(neural_network.MLPClassifier(max_iter=50, random_state=0)),
        "mlp_sgd": _pipe(neural_network.MLPClassifier(solver="sgd", max_iter=20, random_state=0)),
        "calibrated_linear_svc": _pipe(
            calibration.CalibratedClassifierCV(svm.LinearSVC(random_state=0), cv=3)
        ),
        "calibrated_isotonic_tree": _pipe(
            calibration.CalibratedClassifierCV(
                tree.DecisionTreeClassifier(max_depth=3), cv=3, method="isotonic"
            )
        ),
        "dummy_classifier": dummy.DummyClassifier(strategy="prior"),
        "lda": _pipe(discriminant_analysis.LinearDiscriminantAnalysis()),
        "qda": _pipe(discriminant_analysis.QuadraticDiscriminantAnalysis(reg_param=0.1)),
        "voting_soft": _pipe(
            ensemble.VotingClassifier(
                [("lr", linear_model.LogisticRegression()), ("nb", naive_bayes.GaussianNB())],
                voting="soft",
            )
        ),
        "stacking": _pipe(
            ensemble.StackingClassifier(
                [
                    ("tree", tree.DecisionTreeClassifier(max_depth=3)),
                    ("nb", naive_bayes.GaussianNB()),
                ],
                cv=3,
            )
        ),
        "robust_kbins_poly": Pipeline(
            [
                ("pre", preprocessor(scaler=preprocessing.RobustScaler())),
                ("dense", preprocessing.MaxAbsScaler()),
                ("poly", preprocessing.PolynomialFeatures(degree=2)),
                ("bins", preprocessing.KBinsDiscretizer(n_bins=3, encode="onehot")),
                ("model", linear_model.LogisticRegression(max_iter=500)),
            ]
        ),
        "sgd_hinge": _pipe(linear_model.SGDClassifier(loss="hinge", random_state=0)),
        "sgd_modified_huber": _pipe(linear_model.SGDClassifier(loss="modified_huber")),
        "sgd_squared_hinge": _pipe(linear_model.SGDClassifier(loss="squared_hinge")),
        "gb_exponential": _pipe(ensemble.GradientBoostingClassifier(n_estimators=3, loss="exponential")),
        "svc_sparse_input": Pipeline(
            [
                (
                    "pre",
                    ColumnTransformer(
                        [("cat", preprocessing.OneHotEncoder(), CATEGORICAL)], sparse_threshold=1.0
                    ),
                ),
                ("model", svm.SVC(probability=True, random_state=0)),
            ]
        ),
        "imputer_with_indicator": Pipeline(
            [
                (
                    "pre",
                    ColumnTransformer([("cat", _ordinal(), CATEGORICAL)], remainder="passthrough"),
                ),
                ("impute", SimpleImputer(add_indicator=True)),
                ("model", linear_model.LogisticRegression(max_iter=500)),
            ]
        ),
    }


def _multiclass() -> dict[str, Any]:
    return {
        "multi_logistic": _pipe(linear_model.LogisticRegression(max_iter=500)),
        "multi_hist_gb": _hgb_native(ensemble.HistGradientBoostingClassifier),
        "multi_random_forest": _pipe(ensemble.RandomForestClassifier(n_estimators=3, random_state=0)),
        "multi_gradient_boosting": _pipe(ensemble.GradientBoostingClassifier(n_estimators=3, random_state=0)),
        "multi_svc": _pipe(svm.SVC(random_state=0)),
    }


def _regressors() -> dict[str, Any]:
    return {
        "linear_regression": _pipe(linear_model.LinearRegression()),
        "ridge": _pipe(linear_model.Ridge()),
        "lasso": _pipe(linear_model.Lasso(alpha=0.01)),
        "elastic_net": _pipe(linear_model.ElasticNet(alpha=0.01)),
        "sgd_regressor": _pipe(linear_model.SGDRegressor(random_state=0)),
        "huber": _pipe(linear_model.HuberRegressor()),
        "bayesian_ridge": _pipe(linear_model.BayesianRidge()),
        "poisson": _pipe(linear_model.PoissonRegressor()),
        "tree_regressor": _pipe(tree.DecisionTreeRegressor(max_depth=4)),
        "extra_tree_regressor": _pipe(tree.ExtraTreeRegressor(max_depth=4, random_state=0)),
        "forest_regressor": _pipe(ensemble.RandomForestRegressor(n_estimators=3, random_state=0)),
        "extra_trees_regressor": _pipe(ensemble.ExtraTreesRegressor(n_estimators=3, random_state=0)),
        "gb_regressor": _pipe(ensemble.GradientBoostingRegressor(n_estimators=5, random_state=0)),
        "gb_regressor_huber": _pipe(
            ensemble.GradientBoostingRegressor(n_estimators=3, loss="huber", random_state=0)
        ),
        "hist_gb_regressor": _hgb_native(ensemble.HistGradientBoostingRegressor),
        "hist_gb_poisson": ensemble.HistGradientBoostingRegressor(
            loss="poisson", max_iter=5, categorical_features="from_dtype"
        ),
        "gb_quantile": _pipe(ensemble.GradientBoostingRegressor(n_estimators=3, loss="quantile")),
        "gb_absolute_error": _pipe(ensemble.GradientBoostingRegressor(n_estimators=3, loss="absolute_error")),
        "hist_gb_gamma": ensemble.HistGradientBoostingRegressor(loss="gamma", max_iter=3),
        "hist_gb_quantile": ensemble.HistGradientBoostingRegressor(loss="quantile", quantile=0.5, max_iter=3),
        "hist_gb_absolute": ensemble.HistGradientBoostingRegressor(loss="absolute_error", max_iter=3),
        "sgd_epsilon": _pipe(linear_model.SGDRegressor(loss="epsilon_insensitive")),
        "sgd_squared_epsilon": _pipe(linear_model.SGDRegressor(loss="squared_epsilon_insensitive")),
        "sgd_huber": _pipe(linear_model.SGDRegressor(loss="huber")),
        "gamma_regressor": _pipe(linear_model.GammaRegressor()),
        "tweedie_regressor": _pipe(linear_model.TweedieRegressor(power=1.5)),
        "knn_regressor": _pipe(neighbors.KNeighborsRegressor(algorithm="brute")),
        "svr": _pipe(svm.SVR()),
        "linear_svr": _pipe(svm.LinearSVR(random_state=0)),
        "mlp_regressor": _pipe(neural_network.MLPRegressor(max_iter=50, random_state=0)),
        "dummy_regressor": dummy.DummyRegressor(),
        "adaboost_regressor": _pipe(ensemble.AdaBoostRegressor(n_estimators=3, random_state=0)),
    }


def _fit(name: str, task: str, model: Any, X: pd.DataFrame) -> ZooModel:
    targets = {"binary": binary_target, "multiclass": multiclass_target}
    y = targets.get(task, regression_target)(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    return ZooModel(name=name, task=task, model=model, X=X, y=y)


def _groups() -> list[tuple[str, dict[str, Any]]]:
    return [("binary", _classifiers()), ("multiclass", _multiclass()), ("regression", _regressors())]


def zoo_names() -> list[str]:
    """Names of the zoo models, without fitting anything (for test parametrisation)."""
    return [name for _, models in _groups() for name in models]


@functools.cache
def fitted_zoo() -> dict[str, ZooModel]:
    """Every trusted estimator kind, fitted, by name; cached for the session."""
    X = make_frame()
    return {name: _fit(name, task, model, X) for task, models in _groups() for name, model in models.items()}
