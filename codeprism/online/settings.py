"""The secrets of the online path, from the environment or a secrets file.

Secrets never travel in the Serve config (it is visible in the dashboard and `serve status`):
each replica reads them where it runs, from its environment (`CODEPRISM_…`) or from a YAML
secrets file readable only there. They are held as `SecretStr`, so a repr, a log line or an
error message shows `**********`, never the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from codeprism.errors import ConfigError
from codeprism.hosts.azure import AzureAuth
from codeprism.hosts.bitbucket import BitbucketAuth
from codeprism.hosts.bitbucket_dc import BitbucketDCAuth
from codeprism.hosts.github import GitHubAuth
from codeprism.hosts.gitlab import GitLabAuth

# environment variable -> key of the secrets file (the file uses the lower-case names)
ENVIRONMENT = {
    "CODEPRISM_GITHUB_WEBHOOK_SECRET": "github_webhook_secret",
    "CODEPRISM_GITLAB_WEBHOOK_TOKEN": "gitlab_webhook_token",
    "CODEPRISM_API_TOKEN": "api_token",
    "CODEPRISM_GITHUB_TOKEN": "github_token",
    "CODEPRISM_GITHUB_APP_ID": "github_app_id",
    "CODEPRISM_GITHUB_PRIVATE_KEY": "github_private_key",
    "CODEPRISM_GITHUB_PRIVATE_KEY_FILE": "github_private_key_file",
    "CODEPRISM_GITHUB_API_URL": "github_api_url",
    "CODEPRISM_GITHUB_GIT_URL": "github_git_url",
    "CODEPRISM_GITLAB_TOKEN": "gitlab_token",
    "CODEPRISM_GITLAB_API_URL": "gitlab_api_url",
    "CODEPRISM_GITLAB_GIT_URL": "gitlab_git_url",
    "CODEPRISM_AZURE_WEBHOOK_USERNAME": "azure_webhook_username",
    "CODEPRISM_AZURE_WEBHOOK_PASSWORD": "azure_webhook_password",
    "CODEPRISM_AZURE_WEBHOOK_SECRET": "azure_webhook_secret",
    "CODEPRISM_AZURE_TOKEN": "azure_token",
    "CODEPRISM_AZURE_API_URL": "azure_api_url",
    "CODEPRISM_BITBUCKET_WEBHOOK_SECRET": "bitbucket_webhook_secret",
    "CODEPRISM_BITBUCKET_TOKEN": "bitbucket_token",
    "CODEPRISM_BITBUCKET_USERNAME": "bitbucket_username",
    "CODEPRISM_BITBUCKET_API_URL": "bitbucket_api_url",
    "CODEPRISM_BITBUCKET_GIT_URL": "bitbucket_git_url",
    "CODEPRISM_BITBUCKET_DC_WEBHOOK_SECRET": "bitbucket_dc_webhook_secret",
    "CODEPRISM_BITBUCKET_DC_TOKEN": "bitbucket_dc_token",
    "CODEPRISM_BITBUCKET_DC_API_URL": "bitbucket_dc_api_url",
    "CODEPRISM_BITBUCKET_DC_GIT_URL": "bitbucket_dc_git_url",
    "CODEPRISM_BITBUCKET_DC_GIT_USER": "bitbucket_dc_git_user",
}
SECRETS_FILE_VARIABLE = "CODEPRISM_SECRETS_FILE"


class Secrets(BaseModel):
    """Everything secret the ingress and the orchestrator need; all optional, so that a
    deployment that only takes GitLab webhooks needs no GitHub settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    github_webhook_secret: SecretStr | None = None
    gitlab_webhook_token: SecretStr | None = None
    api_token: SecretStr | None = None  # bearer token of /v1/reviews
    github_token: SecretStr | None = None
    github_app_id: int | None = None
    github_private_key: SecretStr | None = None
    github_private_key_file: Path | None = None
    github_api_url: str = "https://api.github.com"
    github_git_url: str | None = None  # clone URLs' base; None: from the API URL
    gitlab_token: SecretStr | None = None
    gitlab_api_url: str = "https://gitlab.com/api/v4"
    gitlab_git_url: str | None = None
    # Azure DevOps service hooks sign nothing: Basic credentials, or a shared secret header
    azure_webhook_username: str | None = None
    azure_webhook_password: SecretStr | None = None
    azure_webhook_secret: SecretStr | None = None  # sent in X-Codeprism-Secret
    azure_token: SecretStr | None = None  # a personal access token (Code: read & write)
    azure_api_url: str | None = None  # the organization, e.g. https://dev.azure.com/myorg
    bitbucket_webhook_secret: SecretStr | None = None  # the webhook's secret (HMAC-SHA256)
    bitbucket_token: SecretStr | None = None  # an access token, or with a username an app password
    bitbucket_username: str | None = None
    bitbucket_api_url: str = "https://api.bitbucket.org/2.0"
    bitbucket_git_url: str | None = None  # None: https://bitbucket.org
    bitbucket_dc_webhook_secret: SecretStr | None = None  # Data Center's webhook secret (HMAC)
    bitbucket_dc_token: SecretStr | None = None  # an HTTP access token
    bitbucket_dc_api_url: str | None = None  # the server's base URL (REST under /rest/api/1.0)
    bitbucket_dc_git_url: str | None = None  # None: {bitbucket_dc_api_url}/scm
    # None: git gets the token as a Bearer token; a personal token's owner: HTTP Basic
    bitbucket_dc_git_user: str | None = None

    def github_auth(self) -> GitHubAuth | None:
        """GitHub App auth when an app id is set, else a personal token; None: no GitHub."""
        key = self.github_private_key
        if key is None and self.github_private_key_file is not None:
            try:
                key = SecretStr(self.github_private_key_file.read_text())
            except OSError as exc:
                raise ConfigError(
                    f"cannot read the GitHub App private key file: {exc.strerror}"
                ) from None
        if self.github_app_id is not None:
            return GitHubAuth(
                api_url=self.github_api_url,
                git_url=self.github_git_url,
                app_id=self.github_app_id,
                private_key=key,
            )
        if self.github_token is not None:
            return GitHubAuth(
                api_url=self.github_api_url, git_url=self.github_git_url, token=self.github_token
            )
        return None

    def azure_auth(self) -> AzureAuth | None:
        """Azure DevOps needs its organization's URL besides the token."""
        if self.azure_token is None:
            return None
        if self.azure_api_url is None:
            raise ConfigError("azure_token is set but azure_api_url is not")
        return AzureAuth(api_url=self.azure_api_url, token=self.azure_token)

    def gitlab_auth(self) -> GitLabAuth | None:
        if self.gitlab_token is None:
            return None
        return GitLabAuth(
            api_url=self.gitlab_api_url, git_url=self.gitlab_git_url, token=self.gitlab_token
        )

    def bitbucket_auth(self) -> BitbucketAuth | None:
        if self.bitbucket_token is None:
            return None
        return BitbucketAuth(
            api_url=self.bitbucket_api_url,
            git_url=self.bitbucket_git_url,
            token=self.bitbucket_token,
            username=self.bitbucket_username,
        )

    def bitbucket_dc_auth(self) -> BitbucketDCAuth | None:
        """Bitbucket Data Center needs its server's URL besides the token."""
        if self.bitbucket_dc_token is None:
            return None
        if self.bitbucket_dc_api_url is None:
            raise ConfigError("bitbucket_dc_token is set but bitbucket_dc_api_url is not")
        return BitbucketDCAuth(
            api_url=self.bitbucket_dc_api_url,
            git_url=self.bitbucket_dc_git_url,
            token=self.bitbucket_dc_token,
            git_user=self.bitbucket_dc_git_user,
        )


def load_secrets(environ: Mapping[str, str], secrets_file: str | Path | None = None) -> Secrets:
    """The secrets file (argument, else `CODEPRISM_SECRETS_FILE`), then the environment on top."""
    values: dict[str, Any] = {}
    path = secrets_file or environ.get(SECRETS_FILE_VARIABLE)
    if path:
        values.update(_read_secrets_file(Path(path)))
    for variable, key in ENVIRONMENT.items():
        if environ.get(variable):
            values[key] = environ[variable]
    try:
        return Secrets.model_validate(values)
    except ValidationError as exc:
        # name the fields, never echo their values
        fields = sorted({".".join(str(p) for p in error["loc"]) for error in exc.errors()})
        raise ConfigError(f"invalid secrets: check {', '.join(fields)}") from None


def _read_secrets_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise ConfigError(f"cannot read the secrets file {path}: {exc.strerror}") from None
    except yaml.YAMLError:
        raise ConfigError(f"the secrets file {path} is not valid YAML") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"the secrets file {path} must hold a mapping of names to values")
    return data
