import { z } from 'zod';
import { loginResultSchema, tokenSchema } from './responses.schema';

/** The second factor's requests and answers (docs/api.md, Second factor). */

/** A 6-digit TOTP code or a recovery code (`xxxxx-xxxxx-xxxxx-xxxxx`); bounded, judged by the service. */
export const mfaCodeSchema = z.string().min(1).max(64);

export const mfaConfirmSchema = z.object({ code: mfaCodeSchema });

export const mfaCompleteSchema = z.object({ mfa_token: z.string().min(1).max(256), code: mfaCodeSchema });

export const mfaChallengeSchema = z.union([
  z.object({ mfa_required: z.literal(true), mfa_token: z.string() }),
  z.object({ mfa_enrolment_required: z.literal(true), mfa_token: z.string() }),
]);

export const mfaEnrolmentSchema = z.object({
  secret: z.string().describe('The TOTP secret in base32 (SHA-1, 6 digits, 30 s)'),
  otpauth_uri: z.string(),
  qr_svg: z.string().describe('The otpauth URI as a QR code, an SVG document'),
});

export const recoveryCodesSchema = z.object({ recovery_codes: z.array(z.string()) });

/** `POST /:app/login`: a login, or the second factor it waits for. */
export const loginOrChallengeSchema = z.union([loginResultSchema, mfaChallengeSchema]);
/** `POST /token/refresh`: a refresh token, or the second factor it waits for. */
export const tokenOrChallengeSchema = z.union([tokenSchema, mfaChallengeSchema]);
/** `POST /:app/login/mfa`: what the request that asked for the code would have answered. */
export const mfaCompletedSchema = z.union([loginResultSchema, tokenSchema]);
