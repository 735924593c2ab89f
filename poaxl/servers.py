"""Mail server settings shared by `send` (SMTP, poaxl.mail) and `collect` (IMAP, poaxl.imap): the fields
both have, where each value comes from (option > POAXL_* environment > config file section > default)
and the checks of security mode and port, written once."""
from __future__ import annotations

import os
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from .errors import PoaxlError, os_reason


@dataclass
class ServerSettings:
    """Where a mail server is and how to talk to it. The password never comes from a command-line argument."""

    PROTOCOL: ClassVar[str] = ""
    DEFAULT_PORT: ClassVar[dict[str, int]] = {}  # by security mode; its keys are the valid modes

    host: str = "localhost"
    port: int | None = None
    security: str = ""
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    cafile: str | None = None

    def __post_init__(self):
        if self.security not in self.DEFAULT_PORT:
            raise PoaxlError(f"Seguridad {self.PROTOCOL} «{self.security}» no válida: use "
                             f"{', '.join(self.DEFAULT_PORT)}.")
        if self.port is None:
            self.port = self.DEFAULT_PORT[self.security]

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def context(self) -> ssl.SSLContext:
        return tls_context(self.cafile)


def tls_context(cafile: str | None) -> ssl.SSLContext:
    """A verifying TLS context. The CA file must be a regular file: a FIFO given as --cafile would block
    forever, a folder or a broken file would fail with OpenSSL's English words."""
    if cafile:
        import stat

        try:
            mode = os.stat(cafile).st_mode
        except OSError as exc:
            raise PoaxlError(f"{cafile}: no se pudo leer el certificado de la CA: {os_reason(exc)}.") from None
        if not stat.S_ISREG(mode):
            raise PoaxlError(f"{cafile}: el certificado de la CA debe ser un archivo normal (PEM).")
    try:
        return ssl.create_default_context(cafile=cafile)
    except ssl.SSLError:
        raise PoaxlError(f"{cafile}: no es un certificado de CA válido (formato PEM).") from None


class Sources:
    """Where a setting comes from: the option given, else the environment variable, else the config
    file's section (``smtp:`` or ``imap:``); the password is refused in the file."""

    def __init__(self, config: Path | None, section: str):
        self.protocol = section.upper()
        self.conf = config_section(config, section) if config else {}
        if "password" in self.conf:
            raise PoaxlError(f"{config}: la contraseña no va en el archivo: use POAXL_{self.protocol}_PASSWORD.")

    def __call__(self, option: Any, var: str | None, key: str) -> Any:
        return option if option is not None else (os.environ.get(var) if var else None) or self.conf.get(key)

    def port(self, option: Any) -> int | None:
        """The port (1..65535) or None for the security mode's default."""
        value = self(option, f"POAXL_{self.protocol}_PORT", "port")
        shown = str(value)[:20]
        try:
            value = int(str(value)[:6]) if value else None
        except ValueError:
            value = -1
        if value is not None and not 0 < value < 65536:
            raise PoaxlError(f"Puerto {self.protocol} «{shown}» no válido: use un número entre 1 y 65535.")
        return value

    def password(self) -> str | None:
        return os.environ.get(f"POAXL_{self.protocol}_PASSWORD")


def config_section(config: Path, name: str) -> dict:
    """The ``name:`` section of a YAML config file, read safely (poaxl.safeyaml: regular file, size,
    alias budget); its values must be plain text or numbers (they end up in headers and connections)."""
    from .safeyaml import load

    data = load(Path(config), "archivo de configuración") or {}
    section = (data.get(name) or {}) if isinstance(data, dict) else None
    if not isinstance(section, dict) or not all(isinstance(v, (str, int, float)) for v in section.values()):
        raise PoaxlError(f"{config}: la sección «{name}:» debe ser un mapa (clave: valor) de textos o números.")
    return {str(k): v if isinstance(v, str) else str(v) for k, v in section.items()}
