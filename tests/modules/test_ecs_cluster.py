from tests.helpers import find


def test_cluster_has_container_insights(synthesized):
    cluster = find(synthesized, "aws_ecs_cluster", name="fargate-batch-dev")
    assert cluster["setting"] == [{"name": "containerInsights", "value": "enabled"}]
