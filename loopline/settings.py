"""Settings, read from LOOPLINE_* environment variables at the CLI edge (frozen pydantic model)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from loopline.exceptions import ConfigError
from topics.broker import EmbeddedBroker


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOOPLINE_", frozen=True, extra="ignore")

    state_dir: Path = Field(Path(".loopline"), description="Where the embedded broker, lake and reports live.")
    bootstrap_servers: str | None = Field(
        None, description="Kafka bootstrap servers; when set, no embedded broker is started and this cluster is used."
    )
    broker_port: int | None = Field(None, description="Port for the embedded broker (default: a free port).")
    lake_uri: str | None = Field(None, description="Delta lake root (default: <state_dir>/lake; s3://… works).")
    metrics_port: int = Field(
        9108, description="Port of each worker's /metrics endpoint (0 = any free port; give co-located workers distinct ports)."
    )
    metrics_host: str = Field("127.0.0.1", description="Address the /metrics endpoint binds to (0.0.0.0 in containers).")
    token_key: SecretStr | None = Field(None, description="Secret key for keyed PII tokens (HMAC-SHA-256).")
    token_key_file: Path | None = Field(None, description="File holding the token key, instead of LOOPLINE_TOKEN_KEY.")
    vault_master_key: SecretStr | None = Field(None, description="Master key that wraps the vault's per-subject data keys.")
    dev_mode: bool = Field(False, description="Allow a fixed development token key (never in production).")
    encoder_cache: Path | None = Field(
        None, description="Where the ONNX export of the embedding model is kept (default: ~/.cache/loopline/models)."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "warning", description="Log level of the stream workers' runtime (Faust)."
    )

    @property
    def broker(self) -> EmbeddedBroker:
        return EmbeddedBroker(self.state_dir)

    @property
    def lake_root(self) -> str:
        return self.lake_uri or str((self.state_dir / "lake").resolve())

    def bootstrap(self) -> str:
        """The cluster to talk to: the configured one, else the embedded broker of the state dir."""
        if self.bootstrap_servers:
            return self.bootstrap_servers
        info = self.broker.info()
        if info is None:
            raise ConfigError(
                f"no Kafka cluster: LOOPLINE_BOOTSTRAP_SERVERS is not set and no embedded broker runs "
                f"for state directory {self.state_dir} (start one with `loopline broker start`)"
            )
        return info.bootstrap_servers


def env_help() -> str:
    """One line per variable, for --help."""
    lines = []
    for name, info in Settings.model_fields.items():
        lines.append(f"LOOPLINE_{name.upper()}: {info.description}")
    return "\n".join(lines)
