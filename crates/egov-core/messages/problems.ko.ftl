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
