"""Idempotent topic provisioning with confluent-kafka's AdminClient."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

from topics.exceptions import ProvisioningError
from topics.specs import ALL_TOPICS, TopicSpec


@dataclass(frozen=True)
class TopicState:
    name: str
    partitions: int
    cleanup_policy: str | None
    status: str  # "created" | "exists" | "present"


def admin_client(bootstrap_servers: str, **extra: str) -> AdminClient:
    return AdminClient({"bootstrap.servers": bootstrap_servers, **extra})


def provision(
    bootstrap_servers: str,
    specs: Iterable[TopicSpec] = ALL_TOPICS,
    *,
    timeout_s: float = 15.0,
    replication_factor: int | None = None,
) -> list[TopicState]:
    """Create every missing topic; leave existing ones alone but refuse an incompatible one
    (fewer partitions or another cleanup policy). Safe to run any number of times."""
    admin = admin_client(bootstrap_servers)
    specs = list(specs)
    existing = admin.list_topics(timeout=timeout_s).topics
    missing = [s for s in specs if s.name not in existing]
    created: set[str] = set()
    if missing:
        futures = admin.create_topics(
            [
                NewTopic(
                    s.name, num_partitions=s.partitions,
                    replication_factor=replication_factor or s.replication_factor, config=s.config,
                )
                for s in missing
            ],
            request_timeout=timeout_s,
        )
        for name, future in futures.items():
            try:
                future.result()
                created.add(name)
            except KafkaException as exc:
                error = exc.args[0]
                if error.code() != KafkaError.TOPIC_ALREADY_EXISTS:  # a concurrent provisioner won
                    raise ProvisioningError(f"topic {name}: cannot create: {error.str()}") from exc
    return [
        _check(spec, admin, created=spec.name in created, timeout_s=timeout_s) for spec in specs
    ]


def _check(spec: TopicSpec, admin: AdminClient, *, created: bool, timeout_s: float) -> TopicState:
    metadata = admin.list_topics(topic=spec.name, timeout=timeout_s).topics.get(spec.name)
    if metadata is None or metadata.error is not None:
        raise ProvisioningError(f"topic {spec.name}: not visible after provisioning ({metadata and metadata.error})")
    partitions = len(metadata.partitions)
    if partitions < spec.partitions:
        raise ProvisioningError(
            f"topic {spec.name}: has {partitions} partitions, the spec needs {spec.partitions}; "
            "increase them with your cluster's tools (loopline never shrinks or rekeys a topic)"
        )
    policy = describe_cleanup_policy(admin, spec.name, timeout_s=timeout_s)
    if policy is not None and policy != spec.cleanup_policy:
        raise ProvisioningError(
            f"topic {spec.name}: cleanup.policy is {policy!r}, the spec needs {spec.cleanup_policy!r}"
        )
    return TopicState(spec.name, partitions, policy, "created" if created else "exists")


def describe_cleanup_policy(admin: AdminClient, topic: str, *, timeout_s: float = 10.0) -> str | None:
    futures = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, topic)], request_timeout=timeout_s)
    for future in futures.values():
        try:
            entry = future.result().get("cleanup.policy")
        except KafkaException:
            return None
        return entry.value if entry is not None else None
    return None


def list_topics(bootstrap_servers: str, *, timeout_s: float = 10.0) -> list[TopicState]:
    """Every topic on the cluster (internal ones excluded), with partitions and cleanup policy."""
    admin = admin_client(bootstrap_servers)
    topics = admin.list_topics(timeout=timeout_s).topics
    return [
        TopicState(name, len(md.partitions), describe_cleanup_policy(admin, name, timeout_s=timeout_s), "present")
        for name, md in sorted(topics.items())
        if not name.startswith("__")
    ]
