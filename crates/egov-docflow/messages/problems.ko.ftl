# Problem titles of the docflow module's error codes, Korean (see egov-core/messages).
problem-docflow-not-configured = 활성 국가 팩에 문서 규칙이 없습니다
problem-docflow-document-not-found = 그런 문서가 없습니다(또는 볼 수 없는 문서입니다)
problem-docflow-unit-not-found = 소속 기관에 그런 부서가 없습니다
problem-docflow-position-not-found = 소속 기관에 현재 유효한 그런 직위가 없습니다
problem-docflow-step-not-found = 문서의 결재선에 그런 단계가 없습니다
problem-docflow-file-not-found = 소속 기관에 그런 기록물철이 없습니다
problem-docflow-hold-not-found = 유효한 그런 보존 명령이 없습니다
problem-docflow-dispatch-not-found = 이 문서에 그런 발송이 없습니다
problem-docflow-no-position = 오늘 소속 기관 조직에 맡은 직위가 없습니다
problem-docflow-not-your-turn = 현재 단계는 당신의 차례가 아니고, 오늘 그 단계의 대결자도 아닙니다
problem-docflow-not-the-drafter = 문서의 기안자만 할 수 있습니다
problem-docflow-illegal-state = 문서의 현재 상태에서는 할 수 없는 처리입니다
problem-docflow-version-changed = 지정한 판 이후 문서가 바뀌었습니다. 다시 읽고 처리하세요
problem-docflow-recall-too-late = 다음 결재자가 이미 처리해 문서를 회수할 수 없습니다
problem-docflow-invalid-line = 결재선이 올바르지 않습니다
problem-docflow-not-delegated = 현재 위임전결 규정으로는 이 직위가 이 문서를 전결할 수 없습니다
problem-docflow-legal-hold = 이 기록물에는 보존 명령이 걸려 있어 누구도 폐기할 수 없습니다
problem-docflow-retention-running = 보존 기간이 끝나지 않았습니다(또는 영구 보존 기록물입니다)
problem-docflow-purpose-required = 개인정보가 든 문서입니다. 열람 목적을 밝혀 주세요(?purpose=)
problem-docflow-attachment-not-found = 이 문서에 그런 첨부가 없습니다(또는 폐기되었습니다)
problem-docflow-unknown-recipient = 여기에 문서과가 있는 그런 기관이 없습니다
problem-docflow-bad-attachment = 배달된 첨부를 읽을 수 없습니다
problem-docflow-digest-mismatch = 배달된 판이 그 요약값과 맞지 않습니다
problem-docflow-pdf-font = PDF 글꼴로 이 문서를 그릴 수 없습니다
problem-docflow-internal = 문서를 저장할 수 없었습니다
