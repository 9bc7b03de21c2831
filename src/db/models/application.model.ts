import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

import {
  MFA_SETTINGS,
  RECOVERY_SETTINGS,
  SIGNUP_SETTINGS,
  type MfaSetting,
  type RecoverySetting,
  type SignupSetting,
} from '../../shared/constants';

export { MFA_SETTINGS, RECOVERY_SETTINGS, SIGNUP_SETTINGS, type MfaSetting, type RecoverySetting, type SignupSetting };

export class Application extends Model<InferAttributes<Application>, InferCreationAttributes<Application>> {
  declare id: CreationOptional<number>;
  declare name: string;
  /**
   * The three secrets are stored sealed (`sealed:v1.…`, crypto/secret-box.ts), never in clear:
   * application.service.ts's openedSecret opens them, sealApplicationSecret makes them.
   */
  declare secret: string;
  declare secretVersion: CreationOptional<number>;
  declare previousSecret: string | null;
  declare previousSecretExpiresAt: Date | null;
  declare refreshSecret: string;
  declare accessTtl: number;
  declare accessTtlMax: number;
  declare refreshTtlMax: number;
  /** JSON array of origins, kept as text so that SQLite and PostgreSQL store it alike. */
  declare corsOrigins: string;
  declare audience: string | null;
  /** The second factor: `off`, `optional` (users may enrol) or `required` (users must). */
  declare mfa: CreationOptional<MfaSetting>;
  declare signup: CreationOptional<SignupSetting>;
  declare recovery: CreationOptional<RecoverySetting>;
  /** The application's page that mails link to, the token appended as `#token=…`. */
  declare publicUrl: CreationOptional<string | null>;
  /** JSON of the templates set (`confirm`, `recover`); null or a missing one: the default. */
  declare mailTemplates: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        name: { type: DataTypes.STRING(63), allowNull: false, unique: true },
        secret: { type: DataTypes.TEXT, allowNull: false },
        secretVersion: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
        previousSecret: { type: DataTypes.TEXT, allowNull: true },
        previousSecretExpiresAt: { type: DataTypes.DATE, allowNull: true },
        refreshSecret: { type: DataTypes.TEXT, allowNull: false },
        accessTtl: { type: DataTypes.INTEGER, allowNull: false },
        accessTtlMax: { type: DataTypes.INTEGER, allowNull: false },
        refreshTtlMax: { type: DataTypes.INTEGER, allowNull: false },
        corsOrigins: { type: DataTypes.TEXT, allowNull: false, defaultValue: '[]' },
        audience: { type: DataTypes.STRING(255), allowNull: true },
        mfa: { type: DataTypes.STRING(8), allowNull: false, defaultValue: 'off' },
        signup: { type: DataTypes.STRING(8), allowNull: false, defaultValue: 'off' },
        recovery: { type: DataTypes.STRING(8), allowNull: false, defaultValue: 'off' },
        publicUrl: { type: DataTypes.STRING(2048), allowNull: true, defaultValue: null },
        mailTemplates: { type: DataTypes.TEXT, allowNull: true, defaultValue: null },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'applications', underscored: true },
    );
  }
}
