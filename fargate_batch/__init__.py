"""fargate-batch: scheduled and event-driven batch workflows on ECS Fargate, synthesized by CDKTF."""
