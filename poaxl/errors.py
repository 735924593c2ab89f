"""Errors meant for people: the CLI prints their message (in Spanish) and exits 2, never a traceback."""
from __future__ import annotations


class PoaxlError(Exception):
    """A problem with the user's input (file, option, catalog) that the user can fix."""

    exit_code = 2


class CatalogError(PoaxlError):
    """The catalog does not load or does not validate; one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


OS_REASONS = {  # errno name -> what a person reads (the system's own text is English)
    "ENOENT": "no existe", "EACCES": "sin permiso para leerlo o escribirlo", "EPERM": "operación no permitida",
    "EISDIR": "es una carpeta, no un archivo", "ENOTDIR": "una parte de la ruta no es una carpeta",
    "ENAMETOOLONG": "el nombre del archivo es demasiado largo", "ENOSPC": "no queda espacio en el disco",
    "EROFS": "el disco es de solo lectura", "EEXIST": "ya existe", "ELOOP": "demasiados enlaces simbólicos",
    "EMFILE": "demasiados archivos abiertos", "EIO": "error de entrada/salida del disco",
    "EDQUOT": "se excedió la cuota de disco", "EBUSY": "el archivo está en uso", "ETXTBSY": "el archivo está en uso",
    "EXDEV": "no se puede mover entre discos distintos", "EINVAL": "nombre o argumento no válido",
}


def os_reason(exc: OSError) -> str:
    """An OSError in Spanish, without the system's English text ("Permission denied", "File name too long")."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    return OS_REASONS.get(name, f"error del sistema ({name or type(exc).__name__})")


def network_reason(exc: BaseException) -> str:
    """Why a connection to a mail server failed, in Spanish (socket errors are English)."""
    import socket
    import ssl

    if isinstance(exc, socket.gaierror):
        return "no se encontró el servidor (nombre desconocido o sin red)"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "el servidor no respondió a tiempo"
    if isinstance(exc, ConnectionRefusedError):
        return "el servidor rechazó la conexión (¿servidor o puerto equivocado?)"
    if isinstance(exc, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, EOFError)):
        return "el servidor cortó la conexión"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "falló la conexión segura: el certificado del servidor no es válido o no es de confianza (revise --cafile)"
    if isinstance(exc, ssl.SSLError):
        return f"falló la conexión segura ({exc.reason or 'TLS'})"
    if isinstance(exc, OSError):
        return os_reason(exc)
    return type(exc).__name__
