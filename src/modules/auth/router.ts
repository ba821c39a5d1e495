// auth.*: accounts, sessions, profile, settings and API tokens. Wiring only; rules live in the services.
import { z } from 'zod';
import { ZIdInput, ZOk } from '../../schemas/common.js';
import { router } from '../../trpc/init.js';
import { publicProcedure, scopedProcedure, sessionProcedure } from '../../trpc/procedures.js';
import { restRoutes } from '../../trpc/rest-route.js';
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

const rest = restRoutes('Account');

export const authRouter = router({
  register: publicProcedure
    .meta(rest.post('/api/auth/register', 'Create an account', { public: true, rateLimited: true }))
    .input(ZRegisterInput)
    .output(ZSessionOutput)
    .mutation(({ ctx, input }) => auth.register(ctx.deps, input, ctx.client)),
  login: publicProcedure
    .meta(rest.post('/api/auth/login', 'Sign in', { public: true, rateLimited: true }))
    .input(ZLoginInput)
    .output(ZSessionOutput)
    .mutation(({ ctx, input }) => auth.login(ctx.deps, input, ctx.client)),
  refresh: publicProcedure
    .meta(
      rest.post('/api/auth/refresh', 'Exchange a refresh token for new tokens', {
        public: true,
        rateLimited: true,
      }),
    )
    .input(ZRefreshInput)
    .output(ZTokenPair)
    .mutation(({ ctx, input }) => auth.refresh(ctx.deps, input, ctx.client)),
  logout: sessionProcedure
    .meta(rest.post('/api/auth/logout', 'Sign out of this session'))
    .output(ZOk)
    .mutation(({ ctx }) => auth.logout(ctx.deps, ctx.caller)),
  logoutAll: sessionProcedure
    .meta(rest.post('/api/auth/logout-all', 'Sign out of every session'))
    .output(ZOk)
    .mutation(({ ctx }) => auth.logoutAll(ctx.deps, ctx.caller)),
  me: scopedProcedure('profile:read')
    .meta(rest.get('/api/me', 'Your profile'))
    .output(ZUserProfile)
    .query(({ ctx }) => auth.profileOf(ctx.deps, ctx.caller.id)),
  updateProfile: sessionProcedure
    .meta(rest.patch('/api/me', 'Update your profile'))
    .input(ZUpdateProfileInput)
    .output(ZUserProfile)
    .mutation(({ ctx, input }) => auth.updateProfile(ctx.deps, ctx.caller, input)),
  changePassword: sessionProcedure
    .meta(rest.put('/api/me/password', 'Change your password'))
    .input(ZChangePasswordInput)
    .output(ZOk)
    .mutation(({ ctx, input }) => auth.changePassword(ctx.deps, ctx.caller, input)),
  updateSettings: sessionProcedure
    .meta(rest.patch('/api/me/settings', 'Update your LLM settings'))
    .input(ZUpdateSettingsInput)
    .output(ZUserProfile)
    .mutation(({ ctx, input }) => auth.updateSettings(ctx.deps, ctx.caller, input)),
  createToken: sessionProcedure
    .meta(rest.post('/api/tokens', 'Create an API token for scripts'))
    .input(ZCreateTokenInput)
    .output(ZCreateTokenOutput)
    .mutation(({ ctx, input }) => createApiToken(ctx.deps, ctx.caller, input)),
  listTokens: sessionProcedure
    .meta(rest.get('/api/tokens', 'List your API tokens'))
    .output(z.array(ZApiTokenOutput))
    .query(({ ctx }) => listTokens(ctx.deps, ctx.caller)),
  revokeToken: sessionProcedure
    .meta(rest.delete('/api/tokens/{id}', 'Revoke an API token'))
    .input(ZIdInput)
    .output(ZOk)
    .mutation(({ ctx, input }) => revokeToken(ctx.deps, ctx.caller, input)),
});
