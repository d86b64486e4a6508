# Problem titles (RFC 9457 `title`) of the platform's error codes, Korean. The id is
# `problem-` and the code with `.` and `_` as `-`. A country pack overrides any of them in
# its messages/<lang>.ftl.
problem-bad-request = 잘못된 요청입니다
problem-malformed-body = 요청 본문의 형식이 올바르지 않습니다
problem-invalid-parameter = 경로 또는 쿼리 매개변수가 올바르지 않습니다
problem-unauthorized = 인증이 필요합니다
problem-forbidden = 허용되지 않습니다
problem-not-found = 자원을 찾을 수 없습니다
problem-method-not-allowed = 이 자원에 허용되지 않는 메서드입니다
problem-not-acceptable = 받을 수 있는 표현이 없습니다
problem-conflict = 현재 상태와 충돌합니다
problem-payload-too-large = 요청 본문이 너무 큽니다
problem-unsupported-media-type = 지원하지 않는 콘텐츠 유형입니다
problem-validation-failed = 요청이 검증을 통과하지 못했습니다
problem-too-many-requests = 요청이 너무 많습니다
problem-internal = 서버 내부 오류입니다
problem-service-unavailable = 서비스를 일시적으로 사용할 수 없습니다
problem-database-unavailable = 데이터베이스를 일시적으로 사용할 수 없습니다
problem-unknown-country = 그런 국가 팩이 로드되어 있지 않습니다
problem-calendar-not-covered = 국가 팩에 그 날짜의 근무일 달력이 없습니다

# Details (RFC 9457 `detail`, field errors) with a message: `detail-…`, with the values the
# English names as arguments.
detail-fields-invalid = 입력란 { $count }개가 올바르지 않습니다
detail-length-no-control = { $min }~{ $max }자, 제어 문자 없이
detail-at-most-characters = 최대 { $max }자
detail-control-characters = 제어 문자를 포함할 수 없습니다
detail-purpose = { $what }을(를) 열람하는 목적: 한 줄로 3~200자
detail-cursor = 이 목록의 커서가 아닙니다
detail-limit = 1부터 { $max }까지
detail-duplicate-key = 같은 키의 기록이 이미 있습니다
detail-reference = 참조한 기록이 없거나 아직 참조되고 있습니다
detail-nul = 텍스트에 NUL(U+0000) 문자를 넣을 수 없습니다
detail-calendar-year = 국가 팩에 { $year }년 공휴일 목록이 없습니다
detail-date-range = 날짜가 범위를 벗어났습니다
detail-method = 여기서는 { $method } 메서드를 쓸 수 없습니다. 허용: { $allowed }
detail-no-route = 이 경로에 맞는 경로 처리기가 없습니다
detail-body-too-large = 본문이 { $length }바이트입니다. 한도는 { $limit }바이트입니다
detail-body-over-limit = 본문이 한도 { $limit }바이트를 넘습니다
detail-size-limit = 본문이 크기 한도를 넘습니다
detail-send-as = 본문을 { $media_type } 형식으로 보내십시오
detail-body-schema = 본문의 형태가 예상과 다릅니다: { $why }
detail-invalid-json = 올바른 JSON이 아닙니다: { $why }
detail-form-malformed = 양식에 빠진 항목이 있거나 형식이 잘못되었습니다
detail-query = 쿼리 문자열이 올바르지 않습니다: { $why }
detail-query-missing = 쿼리 매개변수 `{ $name }`이(가) 필요합니다: URL에 ?{ $name }=… 를 붙이세요
detail-path = 그런 자원이 없습니다: { $why }
detail-required = 필수 항목입니다
detail-id-format = { $scheme } 형식이 아닙니다
detail-id-check-digit = 검증 숫자가 맞지 않습니다
detail-id-digits = 숫자여야 합니다
detail-id-length = { $count }자리여야 합니다
detail-id-empty = 비어 있으면 안 됩니다
detail-id-base-and-check = 기본 번호와 검증 숫자가 있어야 합니다
detail-id-birth-date = 앞 여섯 자리가 생년월일이 아닙니다
