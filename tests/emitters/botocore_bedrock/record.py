"""Record boto3 bedrock-runtime Converse + opentelemetry-instrumentation-botocore (OTel contrib).

endpoint_url points at the fake (POST /model/{modelId}/converse); dummy credentials,
region us-east-1. Truth model: aws.bedrock claude-sonnet-4 / claude-haiku-4-5 (seed ids);
request_model is the Bedrock inference-profile id the code passed.
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.update({"AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY": "fake-secret",
                   "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"})
os.environ.setdefault("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")

from harness import Harness  # noqa: E402

h = Harness("botocore_bedrock")

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from opentelemetry.instrumentation.botocore import BotocoreInstrumentor  # noqa: E402

BotocoreInstrumentor().instrument(tracer_provider=h.provider)
client = boto3.client("bedrock-runtime", region_name="us-east-1", endpoint_url=h.base_url,
                      config=Config(retries={"max_attempts": 1}))
SONNET = "us.anthropic.claude-sonnet-4-20250514-v1:0"
MSG = [{"role": "user", "content": [{"text": "Say ok."}]}]

with h.call("aws.bedrock", "claude-sonnet-4", SONNET,
            {"inputTokens": 40, "outputTokens": 200, "totalTokens": 4040,
             "cacheReadInputTokens": 3000, "cacheWriteInputTokens": 800},
            note="cache read and write; inputTokens excludes both"):
    client.converse(modelId=SONNET, messages=MSG, inferenceConfig={"maxTokens": 256, "temperature": 0.5})

with h.call("aws.bedrock", "claude-sonnet-4", SONNET,
            {"inputTokens": 2500, "outputTokens": 50, "totalTokens": 3550,
             "cacheReadInputTokens": 1000, "cacheWriteInputTokens": 0},
            note="fresh input (2500) larger than cache reads (1000)"):
    client.converse(modelId=SONNET, messages=MSG)

with h.call("aws.bedrock", "claude-sonnet-4", SONNET,
            {"inputTokens": 30, "outputTokens": 12, "totalTokens": 42}):
    client.converse(modelId=SONNET, messages=MSG)

h.finish(extra={"model_mapping": {SONNET: "aws.bedrock claude-sonnet-4"}})
