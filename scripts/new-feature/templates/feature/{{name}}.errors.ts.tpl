import { ResourceNotFoundError } from '../../http';

/** 404: no {{thing}} with this id. */
export class {{Thing}}NotFoundError extends ResourceNotFoundError {
  constructor(readonly {{thingCamel}}Id: number) {
    super(`{{Thing}} ${{{thingCamel}}Id} does not exist.`);
  }
}
