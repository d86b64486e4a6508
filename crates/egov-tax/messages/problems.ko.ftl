# Problem titles of the tax module's error codes, Korean (see egov-core/messages).
problem-tax-no-rules = 국가 팩에 이 연도의 세법 규칙이 없습니다
problem-tax-not-a-taxpayer = 이 계정은 납세자(주민등록번호 또는 사업자등록번호)와 연결되어 있지 않습니다
problem-tax-invalid-inputs = 규칙의 입력 선언이 받아들이지 않는 입력입니다
problem-tax-return-rejected = 신고서가 거부되었습니다. 검증 규칙이 걸렸습니다(errors에 규칙 번호가 있습니다)
problem-tax-return-not-found = 그런 신고서가 없습니다
problem-tax-concurrent-submission = 같은 순간에 이 신고서의 다른 제출이 받아들여졌습니다. 다시 시도하세요
problem-tax-not-filed = 이 연도에 제출한 신고서가 없습니다
problem-tax-arrears = 체납이 있는 동안에는 납세증명서를 발급할 수 없습니다
problem-tax-certificate-not-found = 이 번호로 확인할 수 있는 증명서가 없습니다
problem-tax-certificate-revoked = 이미 취소된 증명서입니다
problem-tax-taxpayer-not-found = 그런 식별번호의 납세자가 없습니다
problem-tax-no-refund-due = 이 납세자와 연도에 돌려줄 환급금이 없습니다
problem-tax-approval-not-found = 다른 담당자의 승인을 기다리는 그런 처리가 없습니다
problem-tax-same-officer = 요청한 담당자가 아닌 다른 담당자가 승인해야 합니다
problem-tax-not-a-withholding-agent = 등록된 원천징수의무자가 아닌 사업자입니다. 담당자가 먼저 등록해야 지급명세서를 낼 수 있습니다
problem-tax-statement-not-found = 그런 지급명세서가 없습니다(또는 지금 처리할 수 없는 명세서입니다)
problem-tax-bad-upload = 지급명세서 파일을 읽을 수 없습니다(머리글 또는 인코딩)
problem-tax-no-subject = 정보 연계 요청에 납세자가 없습니다
problem-tax-no-year = 정보 연계 요청에 연도가 없습니다
problem-tax-internal = 세무 서비스가 정보 연계 요청에 답할 수 없었습니다

# Details (`detail-…`) in this language; the English is in the code.
detail-year = 2000년부터 2100년 사이의 연도여야 합니다
detail-idempotency-key = 필수: 보이는 문자 1~64자
detail-year-for-income = 소득 증명에는 필수입니다
detail-certificate-kind = tax_clearance 또는 income이어야 합니다
detail-tax-unknown-input = 이 규칙의 입력 항목이 아닙니다
detail-tax-people = 사람 목록이어야 합니다
detail-tax-max-people = 최대 { $count }명
detail-tax-type = { $kind } 값이어야 합니다
detail-tax-negative = 음수일 수 없습니다
detail-tax-decimals = 소수점 이하 두 자리까지
detail-tax-count = 음수가 아닌 정수여야 합니다
detail-tax-flag = 참 또는 거짓이어야 합니다
detail-tax-max = 최대 { $max }
