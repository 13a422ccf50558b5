# The provider merges source documents, then the own statements, then override documents;
# a statement with the same Sid replaces the earlier one.
data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = ["*"]
  }
  statement {
    sid       = "Pass"
    actions   = ["iam:PassRole"]
    resources = ["arn:aws:iam::123456789012:role/app"]
  }
}

# An override turns the Pass statement into full administrative access.
data "aws_iam_policy_document" "escalated" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "Pass", Effect = "Allow", Action = "*", Resource = "*" }] })]
  statement {
    sid       = "Run"
    actions   = ["ecs:RunTask"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "escalated" {
  name   = "escalated"
  policy = data.aws_iam_policy_document.escalated.json
}

# A source document's admin statement replaced by the document's own statement of that Sid.
data "aws_iam_policy_document" "narrowed" {
  source_policy_documents = [jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "All", Effect = "Allow", Action = "*", Resource = "*" }] })]
  statement {
    sid       = "All"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::bucket/*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalTag/team"
      values   = ["app"]
    }
  }
}

resource "aws_iam_policy" "narrowed" {
  name   = "narrowed"
  policy = data.aws_iam_policy_document.narrowed.json
}

output "escalated" {
  value = data.aws_iam_policy_document.escalated.json
}

output "narrowed" {
  value = data.aws_iam_policy_document.narrowed.json
}
