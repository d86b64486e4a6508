# Problem titles of common auth's error codes, Korean (see egov-core/messages).
problem-invalid-token = 액세스 토큰이 유효하지 않습니다
problem-insufficient-user-authentication = 더 강한 로그인이 필요합니다
problem-invalid-credentials = 아이디 또는 비밀번호가 틀렸습니다
problem-invalid-second-factor = 일회용 코드 또는 복구 코드가 틀렸습니다
problem-login-locked = 로그인 실패가 너무 많아 잠시 로그인이 잠겼습니다
problem-login-throttled = 이 주소에서 시도가 너무 많습니다
problem-csrf-failed = 양식이 오래되었거나 이 사이트가 보낸 것이 아닙니다
problem-invalid-grant = 권한 부여가 유효하지 않거나 만료, 사용 또는 취소되었습니다
problem-invalid-client = 클라이언트 인증에 실패했습니다
problem-invalid-authorization-request = 인가 요청이 올바르지 않습니다
problem-unsupported-grant-type = 지원하지 않는 권한 부여 유형입니다
problem-setup-completed = 이 설치에는 이미 플랫폼 관리자가 있습니다
problem-access-log-unavailable = 개인정보 이용 기록을 남길 수 없어 아무것도 보여 주지 않았습니다
