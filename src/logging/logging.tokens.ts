/** DI token of the app's {@link RootLogger} (`root-logger.ts`). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
