# Problem titles of the docflow module's error codes, Spanish (see egov-core/messages).
problem-docflow-not-configured = El paquete de país activo no tiene reglas de documentos
problem-docflow-document-not-found = No existe ese documento (o no puede verlo)
problem-docflow-unit-not-found = No existe esa unidad en su institución
problem-docflow-position-not-found = No existe ese cargo vigente en su institución
problem-docflow-step-not-found = No existe ese paso en la línea de aprobación del documento
problem-docflow-file-not-found = No existe ese expediente en su institución
problem-docflow-hold-not-found = No existe esa retención legal vigente
problem-docflow-dispatch-not-found = No existe ese envío de este documento
problem-docflow-no-position = Hoy no ocupa ningún cargo en la organización de su institución
problem-docflow-not-your-turn = El paso actual no es suyo, ni es usted su suplente hoy
problem-docflow-not-the-drafter = Solo quien redactó el documento puede hacer esto
problem-docflow-illegal-state = Esta acción no está permitida en el estado actual del documento
problem-docflow-version-changed = El documento cambió desde la versión indicada: vuelva a leerlo antes de actuar
problem-docflow-recall-too-late = El siguiente aprobador ya actuó: el documento ya no puede retirarse
problem-docflow-invalid-line = La línea de aprobación no es válida
problem-docflow-not-delegated = La tabla de delegaciones vigente no permite a este cargo aprobar este documento en forma final
problem-docflow-legal-hold = Hay una retención legal vigente sobre este registro: nadie puede eliminarlo
problem-docflow-retention-running = El plazo de conservación no terminó (o el registro es permanente)
problem-docflow-purpose-required = El documento contiene datos personales: indique para qué lo lee (?purpose=)
problem-docflow-attachment-not-found = No existe ese adjunto del documento (o fue eliminado)
problem-docflow-unknown-recipient = No existe esa institución con oficina de documentos aquí
problem-docflow-bad-attachment = Un adjunto de la entrega no se puede leer
problem-docflow-digest-mismatch = La versión entregada no coincide con su resumen
problem-docflow-pdf-font = La fuente del PDF no puede dibujar este documento
problem-docflow-internal = No se pudo guardar el documento
