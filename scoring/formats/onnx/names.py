"""The member names of an ONNX upload (a zip archive), apart so that the format can recognise an
upload without importing its machinery."""

MODEL_NAME = "model.onnx"
