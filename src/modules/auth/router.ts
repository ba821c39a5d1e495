// auth.*: accounts, sessions, profile, settings and API tokens. Wiring only; rules live in the services.
import { z } from 'zod';
import { ZIdInput, ZOk } from '../../schemas/common.js';
import { router } from '../../trpc/init.js';
import { publicProcedure, scopedProcedure, sessionProcedure } from '../../trpc/procedures.js';
import { createApiToken, listTokens, revokeToken } from './api-tokens.js';
import {
  ZApiTokenOutput,
  ZChangePasswordInput,
  ZCreateTokenInput,
  ZCreateTokenOutput,
  ZLoginInput,
  ZRefreshInput,
  ZRegisterInput,
  ZSessionOutput,
  ZTokenPair,
  ZUpdateProfileInput,
  ZUpdateSettingsInput,
  ZUserProfile,
} from './schemas.js';
import * as auth from './service.js';

export const authRouter = router({
  register: publicProcedure
    .input(ZRegisterInput)
    .output(ZSessionOutput)
    .mutation(({ ctx, input }) => auth.register(ctx.deps, input, ctx.client)),
  login: publicProcedure
    .input(ZLoginInput)
    .output(ZSessionOutput)
    .mutation(({ ctx, input }) => auth.login(ctx.deps, input, ctx.client)),
  refresh: publicProcedure
    .input(ZRefreshInput)
    .output(ZTokenPair)
    .mutation(({ ctx, input }) => auth.refresh(ctx.deps, input, ctx.client)),
  logout: sessionProcedure.output(ZOk).mutation(({ ctx }) => auth.logout(ctx.deps, ctx.caller)),
  logoutAll: sessionProcedure.output(ZOk).mutation(({ ctx }) => auth.logoutAll(ctx.deps, ctx.caller)),
  me: scopedProcedure('profile:read')
    .output(ZUserProfile)
    .query(({ ctx }) => auth.profileOf(ctx.deps, ctx.caller.id)),
  updateProfile: sessionProcedure
    .input(ZUpdateProfileInput)
    .output(ZUserProfile)
    .mutation(({ ctx, input }) => auth.updateProfile(ctx.deps, ctx.caller, input)),
  changePassword: sessionProcedure
    .input(ZChangePasswordInput)
    .output(ZOk)
    .mutation(({ ctx, input }) => auth.changePassword(ctx.deps, ctx.caller, input)),
  updateSettings: sessionProcedure
    .input(ZUpdateSettingsInput)
    .output(ZUserProfile)
    .mutation(({ ctx, input }) => auth.updateSettings(ctx.deps, ctx.caller, input)),
  createToken: sessionProcedure
    .input(ZCreateTokenInput)
    .output(ZCreateTokenOutput)
    .mutation(({ ctx, input }) => createApiToken(ctx.deps, ctx.caller, input)),
  listTokens: sessionProcedure
    .output(z.array(ZApiTokenOutput))
    .query(({ ctx }) => listTokens(ctx.deps, ctx.caller)),
  revokeToken: sessionProcedure
    .input(ZIdInput)
    .output(ZOk)
    .mutation(({ ctx, input }) => revokeToken(ctx.deps, ctx.caller, input)),
});
