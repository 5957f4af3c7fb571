"""The ONNX operators an uploaded model may use: an explicit allowlist, never the file's own list.

Built by converting a zoo of models with skl2onnx and onnxmltools and collecting the operator types
they emit: linear models (logistic, ridge, SGD, linear SVMs), naive Bayes, trees, forests, extra trees,
gradient boosting, HistGradientBoosting, AdaBoost, bagging, SVMs, MLPs, LightGBM, and the
preprocessing steps (scalers, one-hot / ordinal / target encoders, imputers, normalizers,
binarizers, polynomial features, k-bins), plus the ZipMap that wraps classifier probabilities.
A few close relatives of those operators (``Gemm``, ``Clip``, ``Min``/``Max``, ``Squeeze`` ...) are
allowed too. Every operator here is a pure function of its inputs: no I/O, no randomness, no
control flow (``If``, ``Loop`` and ``Scan`` carry subgraphs and are refused with every other
graph-valued attribute), no sequences or optionals, and no string processing beyond label maps.
"""

from __future__ import annotations

DEFAULT_DOMAIN = ""
ML_DOMAIN = "ai.onnx.ml"
# "ai.onnx" is another name of the default domain.
DOMAIN_ALIASES = {"": DEFAULT_DOMAIN, "ai.onnx": DEFAULT_DOMAIN, ML_DOMAIN: ML_DOMAIN}

_STANDARD = """
Abs Add And ArgMax ArgMin Cast CastLike Ceil Clip Concat Constant ConstantOfShape CumSum Div Equal
Erf Exp Expand Flatten Floor Gather GatherElements GatherND Gemm Greater GreaterOrEqual Identity
IsInf IsNaN LeakyRelu Less LessOrEqual Log LogSoftmax MatMul Max Mean Min Mod Mul Neg Not Or Pow
Reciprocal ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean ReduceMin ReduceProd
ReduceSum ReduceSumSquare Relu Reshape Round Shape Sigmoid Sign Size Slice Softmax Softplus Split
Sqrt Squeeze Sub Sum Tanh Tile TopK Transpose Unsqueeze Where Xor
"""
_ML = """
ArrayFeatureExtractor Binarizer CategoryMapper FeatureVectorizer Imputer LabelEncoder
LinearClassifier LinearRegressor Normalizer OneHotEncoder SVMClassifier SVMRegressor Scaler
TreeEnsemble TreeEnsembleClassifier TreeEnsembleRegressor ZipMap
"""

ONNX_OPERATORS: dict[str, frozenset[str]] = {
    DEFAULT_DOMAIN: frozenset(_STANDARD.split()),
    ML_DOMAIN: frozenset(_ML.split()),
}

# ai.onnx.ml operators whose ``classlabels_*`` attribute names the classes of their scores.
CLASSIFIER_OPERATORS = frozenset({"LinearClassifier", "SVMClassifier", "TreeEnsembleClassifier"})


def domain_of(name: str) -> str | None:
    """The canonical name of an allowed operator domain, or None for any other domain."""
    return DOMAIN_ALIASES.get(name)


def is_allowed(domain: str, op_type: str) -> bool:
    canonical = domain_of(domain)
    return canonical is not None and op_type in ONNX_OPERATORS[canonical]
