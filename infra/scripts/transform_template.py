#!/usr/bin/env python3
"""Prints template.yaml (or the template named) as CloudFormation deploys it: the SAM transform
applied by aws-sam-translator, offline, in us-east-1. The functions' local CodeUri is replaced by
a placeholder S3 location, as `sam deploy` replaces it by the uploaded code.

Usage: transform_template.py [template.yaml]
"""

import json
import os
import sys

from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else "template.yaml"
    with open(path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://code-bucket/code.zip"
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
    translated = Translator(managed_policy_map={}, sam_parser=Parser()).translate(
        sam_template=template, parameter_values={}
    )
    json.dump(translated, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
