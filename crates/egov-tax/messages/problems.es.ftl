# Problem titles of the tax module's error codes, Spanish (see egov-core/messages).
problem-tax-no-rules = El paquete de país no tiene reglas tributarias para este año
problem-tax-not-a-taxpayer = Esta cuenta no está vinculada a un contribuyente (cédula o RUC)
problem-tax-invalid-inputs = Datos rechazados por las declaraciones de las reglas
problem-tax-return-rejected = La declaración fue rechazada: se activaron reglas de validación (vea errors, cada una con su número)
problem-tax-return-not-found = No existe esa declaración
problem-tax-concurrent-submission = Otra presentación de esta declaración se aceptó en el mismo momento: intente de nuevo
problem-tax-not-filed = No se presentó ninguna declaración para este año
problem-tax-arrears = No se puede emitir un certificado de cumplimiento tributario mientras haya impuestos vencidos
problem-tax-certificate-not-found = No hay ningún certificado verificable con este número
problem-tax-certificate-revoked = El certificado ya fue revocado
problem-tax-taxpayer-not-found = No existe un contribuyente con ese identificador
problem-tax-no-refund-due = No corresponde devolución a este contribuyente para este año
problem-tax-approval-not-found = No existe ese asiento a la espera de un segundo funcionario
problem-tax-same-officer = Debe aprobar un segundo funcionario, no el que lo pidió
problem-tax-not-a-withholding-agent = Esta empresa no es un agente de retención registrado: un funcionario debe registrarla antes de que presente informes
problem-tax-statement-not-found = No existe ese informe (o no puede procesarlo ahora)
problem-tax-bad-upload = No se puede leer el archivo de informes (encabezado o codificación)
problem-tax-no-subject = La solicitud del intercambio no indica ningún contribuyente
problem-tax-no-year = La solicitud del intercambio no indica el año
problem-tax-internal = El servicio tributario no pudo responder una solicitud del intercambio

# Details (`detail-…`) in this language; the English is in the code.
detail-year = debe ser un año de 2000 a 2100
detail-idempotency-key = obligatorio: de 1 a 64 caracteres visibles
detail-year-for-income = obligatorio para un certificado de ingresos
detail-certificate-kind = debe ser tax_clearance o income
detail-tax-unknown-input = no es una entrada de estas reglas
detail-tax-people = debe ser una lista de personas
detail-tax-max-people = como máximo { $count } personas
detail-tax-type = debe ser un valor { $kind }
detail-tax-negative = no debe ser negativo
detail-tax-decimals = como máximo dos decimales
detail-tax-count = debe ser un número entero no negativo
detail-tax-flag = debe ser verdadero o falso
detail-tax-max = como máximo { $max }
