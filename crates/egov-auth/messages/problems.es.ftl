# Problem titles of common auth's error codes, Spanish (see egov-core/messages).
problem-invalid-token = El token de acceso no es válido
problem-insufficient-user-authentication = Se requiere un inicio de sesión más fuerte
problem-invalid-credentials = El nombre de usuario o la contraseña son incorrectos
problem-invalid-second-factor = El código de un solo uso o de recuperación es incorrecto
problem-login-locked = Demasiados intentos fallidos: el inicio de sesión está bloqueado por un tiempo
problem-login-throttled = Demasiados intentos desde esta dirección
problem-csrf-failed = El formulario caducó o no lo envió este sitio
problem-invalid-grant = La autorización no es válida, caducó, ya se usó o fue revocada
problem-invalid-client = Falló la autenticación del cliente
problem-invalid-authorization-request = La solicitud de autorización no es válida
problem-unsupported-grant-type = Tipo de autorización no admitido
problem-setup-completed = La instalación ya tiene un administrador de la plataforma
problem-access-log-unavailable = El registro de accesos a datos personales no puede registrar este acceso; no se mostró nada
